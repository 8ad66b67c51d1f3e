// Tracking throughput in workerd (issue 5: pixel and click ≥ 80% of a Worker that only
// returns 204, measured in the same run; click p99 ≤ 10 ms locally). Starts
// - the main Worker (wrangler.toml, as `wrangler dev` runs it: assets router, the EVENTS queue
//   and its consumer writing to a migrated libSQL file through our Hrana server);
// - the tracking Worker (wrangler.tracking.toml) with the main Worker beside it in one
//   runtime for the queue's consumer, as `wrangler dev -c wrangler.tracking.toml -c
//   wrangler.toml` runs them (test/helpers/wrangler-dev.ts);
// - two bare Workers written to a temp dir, one alone and one behind the same assets router
//   as the main Worker (wrangler dev runs that router as a second Worker in front of every
//   request);
// then drives each with wrk from its own process, in rounds that alternate the targets so all
// see the same machine. Shares are given against both bare Workers.
//
// Where the load goes. wrangler dev puts a proxy Worker, in a workerd process of its own, in
// front of every Worker it runs (it holds requests while the Worker reloads), and that proxy
// costs more CPU per request than a 204 Worker itself (about 460 against 260 µs here). It is
// a development tool, not part of the runtime, so by default wrk loads each Worker's own
// workerd socket behind it (`via` = direct); `proxy` loads wrangler dev's URL, as a browser
// on `wrangler dev` reaches it, and counts both processes' CPU.
//
// How it counts. Throughput is what wrk gets with every process on the same two cores: wrk,
// the workerd processes, and the queue consumer, which runs in the main Worker's workerd
// (for the tracking Worker: the same workerd as it) and writes through this process's Hrana
// server. In production the consumer runs in another invocation and writes to Turso, off the
// request path; here it competes for the cores, so it is counted against the Worker whose
// hits it writes, not hidden. On a machine others share, req/s swings with their load, so
// each run also reports the CPU each Worker's workerd and this process (the Hrana server and
// SQLite) spent per request, read from /proc: that is the cost of the request path (and of
// recording it), and it moves less with the load than req/s does. A target's CPU is taken
// from the start of its load until the consumer has written its last hit, so the writes are
// in it; and no target starts before the queue is empty, so none runs beside the previous
// one's writes.
// A light load (`light` connections, each pausing 10 ms between requests: at most 100 req/s a
// connection, well under what bare serves saturated) gives latency that is not queueing
// behind two busy cores; it runs before the saturating rounds and again after them.
//   npx tsx bench/workerd-tracking.ts [seconds=10] [connections=16] [rounds=2] [light=2] [via=direct|proxy]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import { unstable_startWorker } from 'wrangler';
import { dashboardDist, ensureDashboardBuilt } from '../dashboard/scripts/ensure-built';
import { startHranaServer } from '../node/hrana-server';
import type { Database } from '../shared/db/database';
import { events } from '../shared/db/schema';
import { deriveKeys } from '../shared/keys';
import { signToken } from '../shared/tokens';
import { createTestDatabase } from '../test/helpers/database';
import { startTrackingDev, type TrackingDev } from '../test/helpers/wrangler-dev';
import { seedSentMessages } from './sent-messages';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 2);
const light = Number(process.argv[5] ?? 2);
const via = process.argv[6] ?? 'direct';
if (via !== 'direct' && via !== 'proxy') throw new Error(`via must be direct or proxy, not ${via}`);
/** The pause of each light-load connection between its requests, in ms. */
const LIGHT_DELAY_MS = 10;
/** The queue is drained once the events table has not grown for this long (wrangler.toml's max_batch_timeout, and some). */
const DRAIN_QUIET_MS = 2500;
const SECRET_KEY = 'workerd-bench-secret-0123456789-abcdefgh';
const COMPATIBILITY_DATE = '2026-04-20';
const MESSAGES = 2000;

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;
const realConfig = fileURLToPath(new URL('../wrangler.toml', import.meta.url));
const dev = { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'error' } as const;

/** A URL to load; `script`: a wrk Lua script that spreads the requests over many paths of its origin. */
type WorkerName = 'bare' | 'bareAssets' | 'real' | 'tracking';

interface Target {
  worker: WorkerName;
  url: string;
  script?: string;
}

/** A wrk script sending each request to the next of `paths` (round robin), each connection pausing `delayMs` between requests. */
function rotatingScript(dir: string, name: string, paths: string[], delayMs = 0): string {
  const file = join(dir, `${name}.lua`);
  const pause = delayMs > 0 ? `delay = function()\n  return ${delayMs}\nend\n` : '';
  writeFileSync(file, `local paths = {\n${paths.map((p) => `  "${p}",`).join('\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n${pause}`);
  return file;
}

/** CPU time (user and system) a process has used so far, in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The ports process `pid` listens on (IPv4). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1])
      .filter((inode): inode is string => inode !== undefined),
  );
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[3] === '0A' && inodes.has(f[9]!))
    .map((f) => parseInt(f[1]!.split(':')[1]!, 16));
}

/** The workerd processes descended from process `ancestor` (the wrangler CLI starts them from a second Node process of its own). */
function workerdDescendants(ancestor: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      parents.set(Number(name), Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      // A process that ended, or one we may not look into.
    }
  }
  const descends = (pid: number): boolean => {
    for (let up = parents.get(pid); up !== undefined && up > 1; up = parents.get(up)) if (up === ancestor) return true;
    return false;
  };
  return [...parents.keys()].filter((pid) => {
    try {
      return descends(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd');
    } catch {
      return false;
    }
  });
}

/** Where a started Worker answers: through wrangler dev's proxy (its URL), or workerd's own socket behind it. */
interface Endpoints {
  proxy: { origin: string; pid: number };
  runtime: { origin: string; pid: number };
}

/**
 * wrangler dev answers on a proxy Worker in a workerd of its own, which forwards every request
 * to the workerd that runs the Worker (or Workers, with several configs). Both descend from
 * the process that ran wrangler, started with the Worker: the proxy is the one listening on the
 * Worker's URL, the runtime the other.
 */
async function endpoints(url: URL, parent: number, before: Set<number>): Promise<Endpoints> {
  // The runtime's workerd starts after the proxy's; a first request waits for it.
  await (await fetch(new URL('/healthz', url))).arrayBuffer();
  const started = workerdDescendants(parent).filter((pid) => !before.has(pid));
  const proxy = started.find((pid) => listeningPorts(pid).includes(Number(url.port)));
  const runtime = started.filter((pid) => pid !== proxy);
  if (proxy === undefined || runtime.length !== 1) throw new Error(`expected a proxy and a runtime workerd for ${url.href}, found ${started.join(', ') || 'none'}`);
  // With several Workers, the runtime listens on a socket for each besides its entry: take one that answers as the proxy does.
  const answer = async (origin: string) => {
    try {
      const res = await fetch(`${origin}/api/openapi.json`);
      return `${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch {
      return 'no HTTP answer'; // a socket that is not HTTP, or closes at once
    }
  };
  const expected = await answer(url.origin);
  for (const port of listeningPorts(runtime[0]!)) {
    const origin = `http://127.0.0.1:${port}`;
    if ((await answer(origin)) === expected) return { proxy: { origin: url.origin, pid: proxy }, runtime: { origin, pid: runtime[0]! } };
  }
  throw new Error(`no socket of the runtime workerd ${runtime[0]} answers as ${url.href} does`);
}

/** CPU ms used so far by each Worker's workerd processes (the runtime, and the proxy when measured through it) and by this process (Hrana server, SQLite). */
function cpuNow(pids: Record<WorkerName, number[]>): Record<WorkerName | 'node', number> {
  const self = process.cpuUsage();
  const sum = (list: number[]) => list.reduce((ms, pid) => ms + cpuMs(pid), 0);
  return { bare: sum(pids.bare), bareAssets: sum(pids.bareAssets), real: sum(pids.real), tracking: sum(pids.tracking), node: (self.user + self.system) / 1000 };
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** CPU µs per request: the target's workerd, and this process (the consumer's database writes). */
  workerdUs: number;
  nodeUs: number;
}

const run = promisify(execFile);

/** wrk (1 thread, fixed connections) on `url`; asynchronous, so this process's Hrana server keeps serving the queue consumer. */
async function runWrk(target: Target, duration = seconds, conns = connections): Promise<string> {
  try {
    const script = target.script ? ['-s', target.script] : [];
    return (await run('wrk', ['-t1', `-c${conns}`, `-d${duration}s`, '--latency', ...script, target.url], { encoding: 'utf8' })).stdout;
  } catch (err) {
    throw new Error(`wrk failed (install it: apt-get install -y wrk): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Waits until the queue consumer has written every hit sent so far: the events table stops growing. */
async function drain(db: Database): Promise<void> {
  let last = -1;
  for (;;) {
    const [row] = await db.select({ n: count() }).from(events);
    if (row!.n === last) return;
    last = row!.n;
    await new Promise((r) => setTimeout(r, DRAIN_QUIET_MS));
  }
}

/** One measured wrk run, its latency distribution in ms, and the CPU it cost until its hits were written. */
async function wrk(target: Target, pids: Record<WorkerName, number[]>, db: Database, conns = connections): Promise<WrkResult> {
  const before = cpuNow(pids);
  const out = await runWrk(target, seconds, conns);
  await drain(db);
  const after = cpuNow(pids);
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`no ${label} latency in wrk's output:\n${out}`);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
  };
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1]);
  const requests = Number(/^\s+(\d+) requests in/m.exec(out)?.[1]);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: .*?(\d+)/.exec(out)?.[1] ?? 0);
  const workerd = after[target.worker] - before[target.worker];
  return { rps, p50: ms('50%'), p99: ms('99%'), requests, errors, workerdUs: (workerd * 1000) / requests, nodeUs: ((after.node - before.node) * 1000) / requests };
}

/**
 * The Worker that only returns 204; `withAssets`: behind the same static-assets router as the
 * real one (wrangler.toml's `[assets]`, its `run_worker_first` routes included), which in
 * wrangler dev puts a second Worker in front of every request.
 */
async function startBareWorker(dir: string, withAssets: boolean): Promise<Worker> {
  writeFileSync(join(dir, 'bare.js'), 'export default { fetch() { return new Response(null, { status: 204 }); } };\n');
  if (!withAssets) {
    const worker = await unstable_startWorker({ name: 'bare-204', entrypoint: join(dir, 'bare.js'), compatibilityDate: COMPATIBILITY_DATE, dev });
    await worker.ready;
    return worker;
  }
  const assets = /^\[assets\]\n(?:[^[\n].*\n)+/m.exec(readFileSync(realConfig, 'utf8'))?.[0];
  if (!assets) throw new Error(`no [assets] section in ${realConfig}`);
  const config = join(dir, 'bare-assets.toml');
  writeFileSync(
    config,
    `name = "bare-204-assets"\nmain = "bare.js"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n\n${assets.replace(/^directory = .*$/m, `directory = ${JSON.stringify(dashboardDist)}`)}`,
  );
  const worker = await unstable_startWorker({ config, dev });
  await worker.ready;
  return worker;
}

async function startRealWorker(databaseUrl: string): Promise<Worker> {
  const vars = { DATABASE_URL: databaseUrl, SECRET_KEY, PUBLIC_URL: 'http://edge.test' };
  const worker = await unstable_startWorker({
    config: realConfig,
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }])),
    dev,
  });
  await worker.ready;
  return worker;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (r: WrkResult) =>
  `${Math.round(r.rps).toLocaleString('en')} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; CPU per request: workerd ${Math.round(r.workerdUs)} µs, Hrana ${Math.round(r.nodeUs)} µs`;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// Miniflare otherwise fetches Request.cf from Cloudflare first, which this machine cannot reach (a 3 s stall, then a placeholder).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
// wrangler will not start the real Worker without the dashboard's folder ([assets]); any build will do.
if (!existsSync(dashboardDist)) ensureDashboardBuilt(console.log);
const database = await createTestDatabase();
const hrana = await startHranaServer({ file: database.url, port: 0 });
const dir = mkdtempSync(join(tmpdir(), 'edgepost-bare-worker-'));
const workers: Worker[] = [];
let trackingDev: TrackingDev | undefined;
try {
  // Started one at a time, so each Worker's workerd processes are the ones that appear with it.
  const started = async (start: () => Promise<Worker>): Promise<Endpoints> => {
    const before = new Set(workerdDescendants(process.pid));
    const worker = await start();
    workers.push(worker);
    return endpoints(await worker.url, process.pid, before);
  };
  const bare = await started(() => startBareWorker(dir, false));
  const bareAssets = await started(() => startBareWorker(dir, true));
  const real = await started(() => startRealWorker(hrana.url));
  // The tracking Worker, with the main Worker beside it for the queue's consumer (one runtime, as wrangler.tracking.toml runs them).
  trackingDev = await startTrackingDev(hrana.url, SECRET_KEY);
  const tracking = await endpoints(new URL(trackingDev.origin), trackingDev.child.pid!, new Set());
  const keys = await deriveKeys(SECRET_KEY);
  // Hits spread over a campaign's messages and links, as real ones are (a thousand clicks on one message would be a burst).
  const messageIds = await seedSentMessages(database.db, MESSAGES);
  const pixels = messageIds.map((messageId) => `/t/o/${signToken(keys, { kind: 'open', messageId })}`);
  const clicks = messageIds.map((messageId, i) => `/t/c/${signToken(keys, { kind: 'click', messageId, url: `https://shop.example.com/products/${i % 20}?utm_source=news` })}`);
  const origin = (e: Endpoints) => (via === 'proxy' ? e.proxy.origin : e.runtime.origin);
  const counted = (e: Endpoints) => (via === 'proxy' ? [e.runtime.pid, e.proxy.pid] : [e.runtime.pid]);
  const pids = { bare: counted(bare), bareAssets: counted(bareAssets), real: counted(real), tracking: counted(tracking) };
  const realOrigin = origin(real);
  const [pixelScript, clickScript] = [rotatingScript(dir, 'pixel', pixels), rotatingScript(dir, 'click', clicks)];
  const targets: Record<'bare' | 'bareAssets' | 'healthz' | 'pixel' | 'click' | 'trackingPixel' | 'trackingClick', Target> = {
    bare: { worker: 'bare', url: `${origin(bare)}/t/o/x` },
    // The same 204, behind the assets router the real Worker has in front (/t/* runs the Worker first).
    bareAssets: { worker: 'bareAssets', url: `${origin(bareAssets)}/t/o/x` },
    // The real Worker doing no tracking work: what its assets router and the app cost before the tracking code.
    healthz: { worker: 'real', url: `${realOrigin}/healthz` },
    pixel: { worker: 'real', url: `${realOrigin}${pixels[0]}`, script: pixelScript },
    click: { worker: 'real', url: `${realOrigin}${clicks[0]}`, script: clickScript },
    // The same hits on the tracking Worker (a tracking domain's host), whose queue the main Worker in the same runtime consumes.
    trackingPixel: { worker: 'tracking', url: `${origin(tracking)}${pixels[0]}`, script: pixelScript },
    trackingClick: { worker: 'tracking', url: `${origin(tracking)}${clicks[0]}`, script: clickScript },
  };
  // Warm-up: one request each, answered before any load, then JIT, the queue's first batches, the database's connections.
  for (const target of Object.values(targets)) await (await fetch(target.url, { redirect: 'manual' })).arrayBuffer();
  for (const target of Object.values(targets)) await runWrk(target, 2);
  await drain(database.db);

  // The same targets at a load that leaves the cores room: latency without queueing behind a
  // saturated machine. Measured before the saturating rounds and again after them (when the
  // database file, the processes' heaps and the consumers' backlog have grown).
  const [lightPixels, lightClicks] = [rotatingScript(dir, 'pixel-light', pixels, LIGHT_DELAY_MS), rotatingScript(dir, 'click-light', clicks, LIGHT_DELAY_MS)];
  const lightTargets = {
    bare: { ...targets.bare, script: rotatingScript(dir, 'bare-light', ['/t/o/x'], LIGHT_DELAY_MS) },
    pixel: { ...targets.pixel, script: lightPixels },
    click: { ...targets.click, script: lightClicks },
    trackingPixel: { ...targets.trackingPixel, script: lightPixels },
    trackingClick: { ...targets.trackingClick, script: lightClicks },
  };
  const lightHits: WrkResult[] = [];
  const lightLoad = async (when: string) => {
    console.log(`\nlight load ${when}: wrk -t1 -c${light} -d${seconds}s, each connection pausing ${LIGHT_DELAY_MS} ms between requests; load average ${loadavg()}`);
    for (const [name, target] of Object.entries(lightTargets)) {
      const result = await wrk(target, pids, database.db, light);
      if (name !== 'bare') lightHits.push(result);
      console.log(`  ${name.padEnd(13)} ${fmt(result)}${result.errors ? `, ${result.errors} errors` : ''}`);
    }
  };
  console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; ${via === 'proxy' ? "through wrangler dev's proxy" : 'straight to workerd'}`);
  await lightLoad('before the saturating rounds');

  console.log(`\nsaturating rounds: wrk -t1 -c${connections} -d${seconds}s --latency, ${rounds} round(s); load average ${loadavg()}`);
  const results: Record<keyof typeof targets, WrkResult[]> = { bare: [], bareAssets: [], healthz: [], pixel: [], click: [], trackingPixel: [], trackingClick: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const [name, target] of Object.entries(targets) as [keyof typeof targets, Target][]) {
      const result = await wrk(target, pids, database.db);
      results[name].push(result);
      console.log(`  round ${round} ${name.padEnd(13)} ${fmt(result)}${result.errors ? `, ${result.errors} errors` : ''}`);
    }
  }
  // Shares are taken round by round (each target against the bare runs just before it), as others' load drifts between rounds.
  const share = (list: WrkResult[], of: (r: WrkResult) => number, base = results.bare) => median(list.map((r, i) => of(r) / of(base[i]!)));
  const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
  console.log(`\nmedian of the rounds (load average ${loadavg()}):`);
  for (const [name, list] of Object.entries(results)) {
    const rps = median(list.map((r) => r.rps));
    const workerdUs = median(list.map((r) => r.workerdUs));
    console.log(
      `  ${name.padEnd(13)} ${Math.round(rps).toLocaleString('en')} req/s (${pct(share(list, (r) => r.rps))} of bare, ${pct(share(list, (r) => r.rps, results.bareAssets))} of bare behind assets), p50 ${median(list.map((r) => r.p50)).toFixed(2)} ms, p99 ${median(list.map((r) => r.p99)).toFixed(2)} ms; ` +
        `CPU per request: workerd ${Math.round(workerdUs)} µs (${share(list, (r) => r.workerdUs).toFixed(2)} × bare's), Hrana ${Math.round(median(list.map((r) => r.nodeUs)))} µs`,
    );
  }

  await lightLoad('after them');
  // Every target waited for its hits to be written: count them.
  const [written] = await database.db.select({ n: count() }).from(events);
  const sent = [...results.pixel, ...results.click, ...results.trackingPixel, ...results.trackingClick, ...lightHits].reduce((n, r) => n + r.requests, 0);
  console.log(`\nevents written by the queue consumer: ${written!.n.toLocaleString('en')} (measured hits: ${sent.toLocaleString('en')}, plus warm-up)`);
} finally {
  await trackingDev?.stop();
  for (const worker of workers.reverse()) await worker.dispose();
  await hrana.close();
  database.close();
  rmSync(dir, { recursive: true, force: true });
}
