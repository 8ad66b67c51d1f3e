import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { campaigns, messages } from '../db/schema';
import { recordHits } from './hits';
import { messagesPageSql, parseActivityCursor, subscriberActivity, type ActivityItem, type ActivityPage } from './subscriber-activity';

const T0 = Date.UTC(2030, 0, 1, 9, 0);

describe('subscriberActivity', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 2);
  });
  afterEach(() => t.close());

  const all = async (limit: number) => {
    const items: ActivityItem[] = [];
    let cursor: string | null = null;
    do {
      const page: ActivityPage = (await subscriberActivity(t.db, seed.subscriberIds[0]!, limit, cursor ? parseActivityCursor(cursor)! : undefined))!;
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      items.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    return items.map((i) => `${i.kind}:${i.id}@${i.at - T0}`);
  };

  it('merges messages and events newest first, ties at one millisecond broken alike on every page size', async () => {
    // A second campaign's message sent at the very millisecond of three opens, and one still queued.
    const [other, queued] = await t.db
      .insert(campaigns)
      .values([
        { name: 'Summer', subject: 's', fromAddress: 'a@b.example', format: 'text', body: 'x', status: 'sent' },
        { name: 'Autumn', subject: 's', fromAddress: 'a@b.example', format: 'text', body: 'x', status: 'sending' },
      ])
      .returning();
    await t.db.update(messages).set({ sentAt: T0 });
    const [m2] = await t.db.insert(messages).values({ campaignId: other!.id, subscriberId: seed.subscriberIds[0]!, status: 'sent', sentAt: T0 + 5 }).returning();
    const [m3] = await t.db.insert(messages).values({ campaignId: queued!.id, subscriberId: seed.subscriberIds[0]!, status: 'queued', queuedAt: T0 + 7 }).returning();
    await recordHits(t.db, [0, 1, 2].map((i) => ({ key: `o${i}`, kind: 'open' as const, messageId: seed.messageIds[0]!, at: T0 + 5, method: 'GET' })));
    // The other subscriber's activity stays out.
    await recordHits(t.db, [{ key: 'x', kind: 'open', messageId: seed.messageIds[1]!, at: T0 + 6, method: 'GET' }]);

    const whole = await all(100);
    const eventIds = (await t.client.execute('select id from events where subscriber_id = ? order by id desc', [seed.subscriberIds[0]!])).rows.map((r) => Number(r.id));
    expect(whole).toEqual([`message:${m3!.id}@7`, ...eventIds.map((id) => `event:${id}@5`), `message:${m2!.id}@5`, `message:${seed.messageIds[0]}@0`]);
    for (const limit of [1, 2, 3]) expect(await all(limit)).toEqual(whole);

    const page = (await subscriberActivity(t.db, seed.subscriberIds[0]!, 100))!;
    expect(page.rows[0]).toEqual({ kind: 'message', id: m3!.id, at: T0 + 7, campaignId: queued!.id, campaignName: 'Autumn', status: 'queued', sentAt: null });
    expect(await subscriberActivity(t.db, 999_999, 10)).toBeNull();
  });

  it('reads messages through messages_subscriber, never a scan of messages', async () => {
    const query = new SQLiteAsyncDialect().sqlToQuery(sql`explain query plan ${messagesPageSql(1, 3, { at: T0, id: 5 })}`);
    const plan = (await t.client.execute({ sql: query.sql, args: query.params as number[] })).rows.map((r) => String(r.detail));
    expect(plan.filter((d) => /^SCAN m\b/.test(d))).toEqual([]);
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH m USING INDEX messages_subscriber \(subscriber_id=\?\)/));
  });

  it('reads cursors it made, and nothing else', () => {
    expect(parseActivityCursor('1893488400000-e-12')).toEqual({ at: 1893488400000, kind: 'event', id: 12 });
    expect(parseActivityCursor('5-m-1')).toEqual({ at: 5, kind: 'message', id: 1 });
    for (const bad of ['', '5-x-1', '5-e', 'a-e-1', '5-e-1-2', `${'9'.repeat(17)}-e-1`]) expect(parseActivityCursor(bad)).toBeNull();
  });
});
