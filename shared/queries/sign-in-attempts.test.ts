import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { ADDRESS_LIMIT, attemptKeys, clearFailures, lockedUntil, NETWORK_LIMIT, recordFailure } from './sign-in-attempts';

describe('sign-in attempts', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  it('locks an address after five failures in 15 minutes, for 15 minutes', async () => {
    const { address, network } = await attemptKeys('Ann@Example.com', '192.0.2.0/24');
    const start = Date.now();
    for (let i = 0; i < ADDRESS_LIMIT.maxFailures - 1; i++) await recordFailure(t.db, [address, network], start + i);
    expect(await lockedUntil(t.db, [address, network], start + 10)).toBeNull();
    await recordFailure(t.db, [address, network], start + 10);
    expect(await lockedUntil(t.db, [address, network], start + 11)).toBe(start + 10 + ADDRESS_LIMIT.lockMs);
    expect(await lockedUntil(t.db, [address, network], start + 10 + ADDRESS_LIMIT.lockMs)).toBeNull();
    // The same address in other letters is the same key; the address is not stored in clear.
    expect((await attemptKeys(' ann@example.COM', 'x')).address.key).toBe(address.key);
    const keys = (await t.client.execute('select key from sign_in_attempts')).rows.map((r) => String(r.key));
    expect(keys.some((k) => k.includes('ann'))).toBe(false);
  });

  it('counts failures that happen at the same moment, every one', async () => {
    const { address } = await attemptKeys('bob@example.com', 'n');
    const now = Date.now();
    await Promise.all(Array.from({ length: ADDRESS_LIMIT.maxFailures }, () => recordFailure(t.db, [address], now)));
    expect(await lockedUntil(t.db, [address], now)).toBe(now + ADDRESS_LIMIT.lockMs);
  });

  it('starts counting again once the window has passed', async () => {
    const { address } = await attemptKeys('cy@example.com', 'n');
    const start = Date.now();
    for (let i = 0; i < ADDRESS_LIMIT.maxFailures - 1; i++) await recordFailure(t.db, [address], start);
    await recordFailure(t.db, [address], start + ADDRESS_LIMIT.windowMs);
    expect(await lockedUntil(t.db, [address], start + ADDRESS_LIMIT.windowMs)).toBeNull();
    const [row] = (await t.client.execute({ sql: 'select failures from sign_in_attempts where key = ?', args: [address.key] })).rows;
    expect(row!.failures).toBe(1);
  });

  it('locks a network after more failures, across addresses', async () => {
    const now = Date.now();
    for (let i = 0; i < NETWORK_LIMIT.maxFailures; i++) {
      const keys = await attemptKeys(`user${i}@example.com`, '198.51.100.0/24');
      await recordFailure(t.db, [keys.address, keys.network], now);
    }
    const fresh = await attemptKeys('someone-else@example.com', '198.51.100.0/24');
    expect(await lockedUntil(t.db, [fresh.address, fresh.network], now)).toBe(now + NETWORK_LIMIT.lockMs);
    const elsewhere = await attemptKeys('someone-else@example.com', '203.0.113.0/24');
    expect(await lockedUntil(t.db, [elsewhere.address, elsewhere.network], now)).toBeNull();
  });

  it('forgets a key on success, and stale keys on the next failure', async () => {
    const a = await attemptKeys('a@example.com', 'n');
    const b = await attemptKeys('b@example.com', 'n');
    const start = Date.now();
    await recordFailure(t.db, [a.address], start);
    await recordFailure(t.db, [b.address], start);
    await clearFailures(t.db, a.address);
    await recordFailure(t.db, [a.network], start + ADDRESS_LIMIT.windowMs + 1);
    const keys = (await t.client.execute('select key from sign_in_attempts')).rows.map((r) => String(r.key));
    expect(keys).toEqual([a.network.key]);
  });
});
