import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookReplays } from '../shared/db/schema';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { createDatabaseReplayGuard } from './database-replay-guard';

let database: TestDatabase;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  database = await createTestDatabase();
  clock = 1_700_000_000_000;
});
afterEach(() => database.close());

const storedKeys = async () => (await database.db.select().from(webhookReplays)).map((r) => r.key).sort();

describe('database replay guard', () => {
  it('lets a key be claimed once, by whichever guard (isolate) comes first', async () => {
    const first = createDatabaseReplayGuard(database.db, { now });
    const second = createDatabaseReplayGuard(database.db, { now });
    expect(await first.claim('mailgun:token-a', clock + 600_000)).toBe(true);
    expect(await second.claim('mailgun:token-a', clock + 600_000)).toBe(false);
    expect(await first.claim('mailgun:token-a', clock + 600_000)).toBe(false);
    expect(await second.claim('mailgun:token-b', clock + 600_000)).toBe(true);
  });

  it('lets exactly one of many concurrent claims of a key win', async () => {
    const guards = Array.from({ length: 20 }, () => createDatabaseReplayGuard(database.db, { now }));
    const results = await Promise.all(guards.map((g) => g.claim('mailgun:raced', clock + 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets a key be claimed again once its claim has expired', async () => {
    const guard = createDatabaseReplayGuard(database.db, { now, pruneEveryMs: 3_600_000 });
    expect(await guard.claim('mailgun:t', clock + 1_000)).toBe(true);
    clock += 999;
    expect(await guard.claim('mailgun:t', clock + 1_000)).toBe(false);
    clock += 1;
    expect(await guard.claim('mailgun:t', clock + 1_000)).toBe(true);
    expect(await guard.claim('mailgun:t', clock + 1_000)).toBe(false);
  });

  it('takes a claim back on release, for every isolate, so the relay\'s retry of a failed request is accepted', async () => {
    const first = createDatabaseReplayGuard(database.db, { now });
    const second = createDatabaseReplayGuard(database.db, { now });
    expect(await first.claim('mailgun:failed', clock + 600_000)).toBe(true);
    await first.release('mailgun:failed');
    expect(await second.claim('mailgun:failed', clock + 600_000)).toBe(true);
    expect(await first.claim('mailgun:failed', clock + 600_000)).toBe(false);
    await second.release('mailgun:never-claimed');
    expect(await storedKeys()).toEqual(['mailgun:failed']);
  });

  it('deletes expired claims now and then, not on every claim', async () => {
    const guard = createDatabaseReplayGuard(database.db, { now, pruneEveryMs: 60_000 });
    await guard.claim('old-1', clock + 10_000);
    await guard.claim('old-2', clock + 20_000);
    clock += 30_000;
    // Both expired, but the last prune was 30 s ago: they stay for now.
    await guard.claim('young', clock + 600_000);
    expect(await storedKeys()).toEqual(['old-1', 'old-2', 'young']);
    clock += 30_000;
    await guard.claim('newest', clock + 600_000);
    expect(await storedKeys()).toEqual(['newest', 'young']);
  });
});
