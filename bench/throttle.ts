// Throttle accuracy (issue 3): three sending servers limited to 50, 200 and 1,000 a second,
// each with a standing backlog, shared by four throttle instances on their own Redis
// connections (as four sender containers). Reports, per server, the worst one-second window
// against the limit and the share of the rate the backlog used, on the Redis clock (where
// the throttle decides) and on the callers' clock (when the answer arrived). Not a test.
// Run: npx tsx bench/throttle.ts [seconds]   (default 60; the real Redis at REDIS_URL)
import { Redis } from 'ioredis';
import { createThrottle, type Throttle } from '../sender/throttle/create-throttle';
import { maxInWindow, shareUsed } from '../sender/throttle/window-stats';

const SECONDS = Number(process.argv[2] ?? 60);
if (!Number.isFinite(SECONDS) || SECONDS < 2) throw new Error('usage: npx tsx bench/throttle.ts [seconds ≥ 2]');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONTAINERS = 4;
const CALLERS_PER_CONTAINER = 4; // per server: 16 callers with a backlog each
const LIMITS = [50, 200, 1_000];
const prefix = `edgepost-bench-throttle-${process.pid}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tally {
  atRedisUs: number[];
  atCallerUs: number[];
  asks: number;
}

async function backlog(throttle: Throttle, serverId: string, perSecond: number, untilMs: number, tally: Tally): Promise<void> {
  while (Date.now() < untilMs) {
    tally.asks++;
    const answer = await throttle.acquire(serverId, { count: perSecond, per: 'second' });
    if (answer.ok) {
      tally.atRedisUs.push(answer.atUs);
      tally.atCallerUs.push((performance.timeOrigin + performance.now()) * 1_000);
    } else {
      await sleep(answer.waitMs);
    }
  }
}

const connections = Array.from({ length: CONTAINERS }, () => new Redis(REDIS_URL));
const throttles = connections.map((connection) => createThrottle({ connection, prefix }));
const tallies = LIMITS.map((): Tally => ({ atRedisUs: [], atCallerUs: [], asks: 0 }));
const until = Date.now() + SECONDS * 1_000 + 200;
console.log(`throttle: ${LIMITS.join(', ')}/s, ${CONTAINERS} instances × ${CALLERS_PER_CONTAINER} callers per server, ${SECONDS} s`);
await Promise.all(
  LIMITS.flatMap((limit, i) =>
    throttles.flatMap((throttle) => Array.from({ length: CALLERS_PER_CONTAINER }, () => backlog(throttle, `bench${limit}`, limit, until, tallies[i]!))),
  ),
);

let pass = true;
for (const [i, limit] of LIMITS.entries()) {
  const { atRedisUs, atCallerUs, asks } = tallies[i]!;
  const first = Math.min(...atRedisUs);
  const span = SECONDS * 1_000_000;
  const worstRedis = maxInWindow(atRedisUs, 1_000_000);
  const worstCaller = maxInWindow(atCallerUs, 1_000_000);
  const share = shareUsed(atRedisUs, limit, first, span);
  const over = (worstRedis - limit) / limit;
  pass &&= over <= 0.01 && share >= 0.98;
  console.log(
    `${String(limit).padStart(5)}/s: ${atRedisUs.length} sends; worst 1-s window ${worstRedis} (${pct(over)} over) at Redis, ` +
      `${worstCaller} (${pct((worstCaller - limit) / limit)}) at the callers; used ${(share * 100).toFixed(2)}% of the rate; ` +
      `${(asks / atRedisUs.length).toFixed(2)} Redis calls per send`,
  );
}
console.log(pass ? 'target met: no window over 1%, every backlog ≥ 98%' : 'TARGET MISSED');

const cleanup = connections[0]!;
const keys = await cleanup.keys(`${prefix}:*`);
if (keys.length) await cleanup.del(...keys);
connections.forEach((c) => c.disconnect());

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}
