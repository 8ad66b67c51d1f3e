// Tracking throughput in workerd (issue 5: pixel and click ≥ 80% of a Worker that only
// returns 204, measured in the same run; click p99 ≤ 10 ms locally). Starts the real Worker
// (wrangler.toml, as `wrangler dev` runs it: assets router, the EVENTS queue and its
// consumer writing to a migrated libSQL file through our Hrana server) and a bare Worker
// written to a temp dir, then drives each with wrk from its own process, in rounds that
// alternate bare, pixel and click so both see the same machine.
//   npx tsx bench/workerd-tracking.ts [seconds=10] [connections=16] [rounds=2]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import { unstable_startWorker } from 'wrangler';
import { dashboardDist, ensureDashboardBuilt } from '../dashboard/scripts/ensure-built';
import { startHranaServer } from '../node/hrana-server';
import { events } from '../shared/db/schema';
import { deriveKeys } from '../shared/keys';
import { signToken } from '../shared/tokens';
import { createTestDatabase } from '../test/helpers/database';
import { seedSentMessages } from './sent-messages';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 2);
const SECRET_KEY = 'workerd-bench-secret-0123456789-abcdefgh';
const COMPATIBILITY_DATE = '2026-04-20';
const MESSAGES = 2000;

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;
const dev = { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'error' } as const;

/** A URL to load; `script`: a wrk Lua script that spreads the requests over many paths of its origin. */
interface Target {
  url: string;
  script?: string;
}

/** A wrk script sending each request to the next of `paths`, round robin. */
function rotatingScript(dir: string, name: string, paths: string[]): string {
  const file = join(dir, `${name}.lua`);
  writeFileSync(file, `local paths = {\n${paths.map((p) => `  "${p}",`).join('\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n`);
  return file;
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

const run = promisify(execFile);

/** wrk (1 thread, fixed connections) on `url`; asynchronous, so this process's Hrana server keeps serving the queue consumer. */
async function runWrk(target: Target, duration = seconds): Promise<string> {
  try {
    const script = target.script ? ['-s', target.script] : [];
    return (await run('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', ...script, target.url], { encoding: 'utf8' })).stdout;
  } catch (err) {
    throw new Error(`wrk failed (install it: apt-get install -y wrk): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** One measured wrk run, its latency distribution in ms. */
async function wrk(target: Target): Promise<WrkResult> {
  const out = await runWrk(target);
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
    if (!m) throw new Error(`no ${label} latency in wrk's output:\n${out}`);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
  };
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1]);
  const requests = Number(/^\s+(\d+) requests in/m.exec(out)?.[1]);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: .*?(\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50: ms('50%'), p99: ms('99%'), requests, errors };
}

async function startBareWorker(dir: string): Promise<Worker> {
  const entrypoint = join(dir, 'bare.js');
  writeFileSync(entrypoint, 'export default { fetch() { return new Response(null, { status: 204 }); } };\n');
  const worker = await unstable_startWorker({ name: 'bare-204', entrypoint, compatibilityDate: COMPATIBILITY_DATE, dev });
  await worker.ready;
  return worker;
}

async function startRealWorker(databaseUrl: string): Promise<Worker> {
  const vars = { DATABASE_URL: databaseUrl, SECRET_KEY, PUBLIC_URL: 'http://edge.test' };
  const worker = await unstable_startWorker({
    config: fileURLToPath(new URL('../wrangler.toml', import.meta.url)),
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }])),
    dev,
  });
  await worker.ready;
  return worker;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (r: WrkResult) => `${Math.round(r.rps).toLocaleString('en')} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`;

// Miniflare otherwise fetches Request.cf from Cloudflare first, which this machine cannot reach (a 3 s stall, then a placeholder).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
// wrangler will not start the real Worker without the dashboard's folder ([assets]); any build will do.
if (!existsSync(dashboardDist)) ensureDashboardBuilt(console.log);
const database = await createTestDatabase();
const hrana = await startHranaServer({ file: database.url, port: 0 });
const dir = mkdtempSync(join(tmpdir(), 'edgepost-bare-worker-'));
const workers: Worker[] = [];
try {
  const bare = await startBareWorker(dir);
  workers.push(bare);
  const real = await startRealWorker(hrana.url);
  workers.push(real);
  const keys = await deriveKeys(SECRET_KEY);
  // Hits spread over a campaign's messages and links, as real ones are (a thousand clicks on one message would be a burst).
  const messageIds = await seedSentMessages(database.db, MESSAGES);
  const pixels = await Promise.all(messageIds.map(async (messageId) => `/t/o/${await signToken(keys, { kind: 'open', messageId })}`));
  const clicks = await Promise.all(
    messageIds.map(async (messageId, i) => `/t/c/${await signToken(keys, { kind: 'click', messageId, url: `https://shop.example.com/products/${i % 20}?utm_source=news` })}`),
  );
  const realOrigin = (await real.url).origin;
  const targets: Record<'bare' | 'healthz' | 'pixel' | 'click', Target> = {
    bare: { url: `${(await bare.url).origin}/t/o/x` },
    // The real Worker doing no tracking work: what its assets router and the app cost before the tracking code.
    healthz: { url: `${realOrigin}/healthz` },
    pixel: { url: `${realOrigin}${pixels[0]}`, script: rotatingScript(dir, 'pixel', pixels) },
    click: { url: `${realOrigin}${clicks[0]}`, script: rotatingScript(dir, 'click', clicks) },
  };
  // Warm-up: one request each, answered before any load, then JIT, the queue's first batches, the database's connections.
  for (const target of Object.values(targets)) await (await fetch(target.url, { redirect: 'manual' })).arrayBuffer();
  for (const target of Object.values(targets)) await runWrk(target, 2);

  console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; wrk -t1 -c${connections} -d${seconds}s --latency, ${rounds} round(s)`);
  const results: Record<keyof typeof targets, WrkResult[]> = { bare: [], healthz: [], pixel: [], click: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const [name, target] of Object.entries(targets) as [keyof typeof targets, Target][]) {
      const result = await wrk(target);
      results[name].push(result);
      console.log(`  round ${round} ${name.padEnd(7)} ${fmt(result)}${result.errors ? `, ${result.errors} errors` : ''}`);
    }
  }
  const bareRps = median(results.bare.map((r) => r.rps));
  console.log('\nmedian of the rounds:');
  for (const [name, list] of Object.entries(results)) {
    const rps = median(list.map((r) => r.rps));
    console.log(`  ${name.padEnd(7)} ${Math.round(rps).toLocaleString('en')} req/s (${((rps / bareRps) * 100).toFixed(0)}% of bare), p50 ${median(list.map((r) => r.p50)).toFixed(2)} ms, p99 ${median(list.map((r) => r.p99)).toFixed(2)} ms`);
  }
  // The hits were answered first; give the queue consumer its last batches, then count what it wrote.
  await new Promise((r) => setTimeout(r, 4000));
  const [written] = await database.db.select({ n: count() }).from(events);
  const sent = [...results.pixel, ...results.click].reduce((n, r) => n + r.requests, 0);
  console.log(`\nevents written by the queue consumer: ${written!.n.toLocaleString('en')} (measured hits: ${sent.toLocaleString('en')}, plus warm-up)`);
} finally {
  for (const worker of workers.reverse()) await worker.dispose();
  await hrana.close();
  database.close();
  rmSync(dir, { recursive: true, force: true });
}
