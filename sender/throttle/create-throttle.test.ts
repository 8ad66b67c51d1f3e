// The throttle on the real Redis, with several instances on their own connections standing
// in for several sender containers.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rate } from '../../shared/drivers/rate-limits';
import { createThrottle, type Throttle } from './create-throttle';
import { maxInWindow, shareUsed } from './window-stats';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `edgepost-test-throttle-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const connections: Redis[] = [];

function containers(n: number): Throttle[] {
  return Array.from({ length: n }, () => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    connections.push(connection);
    return createThrottle({ connection, prefix });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Callers that send as fast as they are let through until `untilMs`; returns the grant times (µs). */
async function backlog(throttles: Throttle[], callersEach: number, untilMs: number, ask: (t: Throttle) => ReturnType<Throttle['acquire']>) {
  const grants: number[] = [];
  let asks = 0;
  async function caller(t: Throttle) {
    while (Date.now() < untilMs) {
      asks++;
      const answer = await ask(t);
      if (answer.ok) grants.push(answer.atUs);
      else await sleep(answer.waitMs);
    }
  }
  await Promise.all(throttles.flatMap((t) => Array.from({ length: callersEach }, () => caller(t))));
  return { grants, asks };
}

describe('throttle', () => {
  let clean: Redis;
  beforeAll(() => {
    clean = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await clean.keys(`${prefix}:*`);
    if (keys.length) await clean.del(...keys);
    clean.disconnect();
    connections.splice(0).forEach((c) => c.disconnect());
  });

  it('holds a server rate across four instances, with no window over it and ≥ 98% used', async () => {
    const rate: Rate = { count: 50, per: 'second' };
    const start = Date.now();
    const { grants, asks } = await backlog(containers(4), 3, start + 3_300, (t) => t.acquire('rate50', rate));
    const first = Math.min(...grants);
    expect(maxInWindow(grants, 1_000_000)).toBeLessThanOrEqual(50);
    // A backlog keeps the limit busy. How close to 100% is a timing figure for bench/throttle.ts
    // (99.4% measured); here only a floor that a loaded CI machine still clears.
    expect(shareUsed(grants, 50, first, 3_000_000)).toBeGreaterThanOrEqual(0.8);
    // Waiters wake one per interval: a few asks per send, not one per caller per send.
    expect(asks / grants.length).toBeLessThan(3);
  });

  it('holds a fast rate (400/s) the same way', async () => {
    const rate: Rate = { count: 400, per: 'second' };
    const { grants } = await backlog(containers(3), 6, Date.now() + 2_300, (t) => t.acquire('rate400', rate));
    expect(maxInWindow(grants, 1_000_000)).toBeLessThanOrEqual(400);
    expect(shareUsed(grants, 400, Math.min(...grants), 2_000_000)).toBeGreaterThanOrEqual(0.8);
  });

  it('limits a recipient domain within the server rate, and leaves other domains alone', async () => {
    const server: Rate = { count: 200, per: 'second' };
    const gmail: Rate = { count: 10, per: 'second' };
    const throttles = containers(2);
    const until = Date.now() + 2_200;
    const [toGmail, toOthers] = await Promise.all([
      backlog(throttles, 2, until, (t) => t.acquire('mixed', server, 'Gmail.com', gmail)),
      backlog(throttles, 4, until, (t) => t.acquire('mixed', server, 'example.org', null)),
    ]);
    expect(maxInWindow(toGmail.grants, 1_000_000)).toBeLessThanOrEqual(10);
    // Gmail's sends also queue for the busy server, so they use somewhat less of their own rate.
    expect(shareUsed(toGmail.grants, 10, Math.min(...toGmail.grants), 2_000_000)).toBeGreaterThanOrEqual(0.5);
    const all = [...toGmail.grants, ...toOthers.grants];
    expect(maxInWindow(all, 1_000_000)).toBeLessThanOrEqual(200);
    expect(shareUsed(all, 200, Math.min(...all), 2_000_000)).toBeGreaterThanOrEqual(0.8);
  });

  it('bounds the burst of an idle limit and spreads waiters one interval apart', async () => {
    const [throttle] = containers(1);
    const fast = await Promise.all(Array.from({ length: 30 }, () => throttle!.acquire('burst', { count: 1_000, per: 'minute' })));
    // A tolerance of count/100 intervals: 11 at once, never the whole window's 1,000.
    expect(fast.filter((a) => a.ok).length).toBe(11);

    const perMinute: Rate = { count: 20, per: 'minute' };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await throttle!.acquire('slow', perMinute, 'gmail.com', perMinute));
    // Below 100 a period no burst at all: one now, then one every 3 s, each waiter in its own turn.
    expect(answers[0]!.ok).toBe(true);
    const waits = answers.slice(1).map((a) => (a.ok ? 0 : a.waitMs));
    expect(waits[0]).toBeGreaterThan(2_900);
    expect(waits[0]).toBeLessThanOrEqual(2_950);
    for (let i = 1; i < waits.length; i++) expect(waits[i]! - waits[i - 1]!).toBeGreaterThan(2_990);
  });

  it('loads the script again after Redis lost it', async () => {
    const [throttle] = containers(1);
    expect((await throttle!.acquire('flush', { count: 5, per: 'second' })).ok).toBe(true);
    await clean.script('FLUSH');
    expect(await throttle!.acquire('flush', { count: 5, per: 'second' })).toMatchObject({ ok: false, waitMs: expect.any(Number) });
    expect((await throttle!.acquire('flush-2', { count: 5, per: 'second' })).ok).toBe(true);
  });

  it('refuses bad input by name', async () => {
    const [throttle] = containers(1);
    await expect(throttle!.acquire('x', { count: 0, per: 'second' })).rejects.toThrow(/rate is not a rate: count must be at least 1/);
    await expect(throttle!.acquire('a:b', { count: 1, per: 'second' })).rejects.toThrow(/serverId/);
    await expect(throttle!.acquire('x', null, undefined, { count: 1, per: 'day' })).rejects.toThrow(/domainRate needs the recipient domain/);
    expect(await throttle!.acquire('x', null)).toMatchObject({ ok: true });
  });
});
