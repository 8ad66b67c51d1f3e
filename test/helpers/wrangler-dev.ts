// `wrangler dev -c wrangler.tracking.toml -c <wrangler.toml's copy>` as a child process: the
// tracking Worker and the main Worker in one local runtime, sharing the EVENTS queue, as
// wrangler.tracking.toml says to run them. The first config's Worker answers on the port;
// the main Worker is there for its queue() consumer, writing to `databaseUrl`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../node/free-port';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');

export interface TrackingDev {
  /** The tracking Worker's origin (wrangler dev's own address). */
  origin: string;
  /** The wrangler process: its workerd children run both Workers. */
  child: ChildProcess;
  /** What wrangler and the Workers have printed so far (workerd's console reaches it), without colours. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * wrangler.toml with DATABASE_URL set to `databaseUrl` and its paths made absolute, written
 * to `dir`. In a multi-config `wrangler dev` only the first Worker takes --var, so the
 * main Worker's database is given in its config.
 */
function mainConfigIn(dir: string, databaseUrl: string): string {
  const text = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const replaced = text
    .replace(/^DATABASE_URL = .*$/m, `DATABASE_URL = ${JSON.stringify(databaseUrl)}`)
    .replace(/^main = "(.*)"$/m, (_, path: string) => `main = ${JSON.stringify(join(root, path))}`)
    .replace(/^directory = "(.*)"$/m, (_, path: string) => `directory = ${JSON.stringify(join(root, path))}`);
  if (!replaced.includes(databaseUrl)) throw new Error('wrangler.toml has no DATABASE_URL line to replace');
  const file = join(dir, 'wrangler.toml');
  writeFileSync(file, replaced);
  return file;
}

/** Starts both Workers; `secretKey` reaches both through the environment ([secrets] required). */
export async function startTrackingDev(databaseUrl: string, secretKey: string, timeoutMs = 60_000): Promise<TrackingDev> {
  const dir = mkdtempSync(join(tmpdir(), 'edgepost-tracking-dev-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [wrangler, 'dev', '-c', join(root, 'wrangler.tracking.toml'), '-c', mainConfigIn(dir, databaseUrl), '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'],
    // The app reads nothing from request.cf, and offline its fetch only stalls.
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SECRET_KEY: secretKey, CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test or bench that dies without stop() must not leave wrangler and its workerds running.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      // Any answer means the Worker is up (a misconfigured one answers 500).
      await (await fetch(`${origin}/healthz`)).arrayBuffer();
      return { origin, child, output: () => output.replace(/\x1b\[[\d;]*m/g, ''), stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not serve the tracking Worker within ${timeoutMs / 1000} s:\n${output}`);
}
