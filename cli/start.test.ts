// `npm start` on a fresh data folder: its own Redis, migrations, the capture inbox, a key
// shown once; and a clear message when Redis cannot be had.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../node/free-port';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start'], {
    env: { HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) return resolve(match);
        if (child.exitCode !== null) return reject(new Error(`start exited ${child.exitCode}: ${output}`));
        setTimeout(check, 50);
      };
      check();
    });
  return { child, exited, printed, output: () => output };
}

const hasRedisServer = (process.env.PATH ?? '').split(delimiter).some((dir) => {
  try {
    return statSync(join(dir, 'redis-server')).isFile();
  } catch {
    return false;
  }
});

describe('npm start', () => {
  it.skipIf(!hasRedisServer)('runs everything on embedded defaults, shows the key once, and stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edgepost-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = { PATH: process.env.PATH!, DATA_DIR: dataDir, PORT: String(port) };
    const first = runStart(env);
    const [, key] = await first.printed(/API key \(shown once, keep it\): (ep_\S+)/);
    const [, redisUrl] = await first.printed(/redis:\s+(redis:\/\/127\.0\.0\.1:\d+)/);
    expect(first.output()).toContain('local capture inbox');

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const servers = (await (await fetch(`${base}/api/sending-servers`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: unknown[] };
    expect(servers.data).toEqual([expect.objectContaining({ driver: 'capture', isDefault: true })]);
    expect(statSync(join(dataDir, 'secret-key')).mode & 0o777).toBe(0o600);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const redisPort = Number(new URL(redisUrl!).port);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(await portAnswers(redisPort)).toBe(false);

    // The second start reuses the data folder: no new key, same secret, same data.
    const second = runStart(env);
    await second.printed(/Edgepost is running at/);
    expect(second.output()).not.toContain('API key');
    const lists = await fetch(`${base}/api/lists`, { headers: { authorization: `Bearer ${key}` } });
    expect(lists.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('says what to install when there is no Redis to use', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edgepost-start-'));
    dirs.push(dataDir);
    const run = runStart({ PATH: join(dataDir, 'empty-bin'), DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/needs Redis\. Install it \(Debian\/Ubuntu: apt-get install redis-server/);
  }, 30_000);
});

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
