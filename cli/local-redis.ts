// Redis for the all-in-one start: REDIS_URL when set, else a redis-server of our own,
// started from the PATH on a free loopback port with its files under the data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../node/free-port';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function useRedis(redisUrl: string | undefined, dataDir: string): Promise<LocalRedis> {
  if (redisUrl) {
    if (!(await answers(redisUrl))) throw new Error(`Redis at REDIS_URL (${redactUrl(redisUrl)}) does not answer: start it, or unset REDIS_URL to let Edgepost start its own.`);
    return { url: redisUrl, stop: async () => {} };
  }
  const dir = resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // Append-only persistence: jobs waiting for a retry survive a restart of the machine.
  const child: ChildProcess = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction', '--logfile', join(dir, 'redis.log')],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<Error | null>((done) => {
    child.once('error', done);
    child.once('spawn', () => done(null));
  });
  if (spawned) {
    throw new Error(
      'Edgepost needs Redis. Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or point REDIS_URL at one.',
    );
  }
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(url))) throw new Error(`redis-server did not answer on ${url}; see ${join(dir, 'redis.log')}`);
  return {
    url,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
