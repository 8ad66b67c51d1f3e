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

// Bodies' SHA-256 digests: the one a token first came with, and another.
const BODY = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const storedKeys = async () => (await database.db.select().from(webhookReplays)).map((r) => r.key).sort();

describe('database replay guard', () => {
  it('lets a key be claimed once per body, by whichever guard (isolate) comes first', async () => {
    const first = createDatabaseReplayGuard(database.db, { now });
    const second = createDatabaseReplayGuard(database.db, { now });
    expect(await first.claim('mailgun:token-a', clock + 600_000, BODY)).toBe(true);
    expect(await second.claim('mailgun:token-a', clock + 600_000, OTHER)).toBe(false);
    expect(await first.claim('mailgun:token-a', clock + 600_000, OTHER)).toBe(false);
    expect(await second.claim('mailgun:token-b', clock + 600_000, OTHER)).toBe(true);
  });

  it("takes the relay's retry of the same body again, in every isolate, still refuses other bodies, and never frees a claim", async () => {
    const first = createDatabaseReplayGuard(database.db, { now });
    const second = createDatabaseReplayGuard(database.db, { now });
    expect(await first.claim('mailgun:lost-answer', clock + 600_000, BODY)).toBe(true);
    // Whatever became of that request (failed, or its answer lost), the relay's retry is taken and another body is not.
    expect(await second.claim('mailgun:lost-answer', clock + 600_000, BODY)).toBe(true);
    expect(await second.claim('mailgun:lost-answer', clock + 600_000, OTHER)).toBe(false);
    expect(await first.claim('mailgun:lost-answer', clock + 600_000, BODY)).toBe(true);
    expect(await storedKeys()).toEqual(['mailgun:lost-answer']);
  });

  it('lets exactly one of many concurrent claims of a key with different bodies win', async () => {
    const guards = Array.from({ length: 20 }, () => createDatabaseReplayGuard(database.db, { now }));
    const results = await Promise.all(guards.map((g, i) => g.claim('mailgun:raced', clock + 60_000, String(i).padStart(64, '0'))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets a key be claimed again, with any body, once its claim has expired', async () => {
    const guard = createDatabaseReplayGuard(database.db, { now, pruneEveryMs: 3_600_000 });
    expect(await guard.claim('mailgun:t', clock + 1_000, BODY)).toBe(true);
    clock += 999;
    expect(await guard.claim('mailgun:t', clock + 1_000, OTHER)).toBe(false);
    clock += 1;
    expect(await guard.claim('mailgun:t', clock + 1_000, OTHER)).toBe(true);
    expect(await guard.claim('mailgun:t', clock + 1_000, BODY)).toBe(false);
  });

  it('deletes expired claims now and then, not on every claim', async () => {
    const guard = createDatabaseReplayGuard(database.db, { now, pruneEveryMs: 60_000 });
    await guard.claim('old-1', clock + 10_000, BODY);
    await guard.claim('old-2', clock + 20_000, BODY);
    clock += 30_000;
    // Both expired, but the last prune was 30 s ago: they stay for now.
    await guard.claim('young', clock + 600_000, BODY);
    expect(await storedKeys()).toEqual(['old-1', 'old-2', 'young']);
    clock += 30_000;
    await guard.claim('newest', clock + 600_000, BODY);
    expect(await storedKeys()).toEqual(['newest', 'young']);
  });
});
