import { and, eq } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { events, listMembers } from '../db/schema';
import { unsubscribeByMessage } from './events';
import { clickBurstUpdate, hitsInsert, recordHits } from './hits';
import { MAX_USER_AGENT, type HitRow } from '../tracking/hit';

const hit = (over: Partial<HitRow> & Pick<HitRow, 'messageId'>): HitRow => ({
  key: `hit:${crypto.randomUUID()}`,
  kind: 'open',
  at: 1_700_000_000_000,
  method: 'GET',
  ...over,
});

describe('events', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 2);
  });
  afterEach(() => t.close());

  describe('recordHits', () => {
    it('resolves campaign and subscriber from the message and stores user agent and method', async () => {
      const [m1, m2] = seed.messageIds as [number, number];
      const written = await recordHits(t.db, [
        hit({ messageId: m1, userAgent: 'Mail/1.0' }),
        hit({ messageId: m2, kind: 'click', url: 'https://shop.example.com/a', method: 'HEAD' }),
      ]);
      expect(written).toBe(2);
      const rows = await t.db.select().from(events).orderBy(events.id);
      expect(rows).toMatchObject([
        { type: 'open', messageId: m1, campaignId: seed.campaignId, subscriberId: seed.subscriberIds[0], occurredAt: 1_700_000_000_000, url: null, data: { userAgent: 'Mail/1.0', method: 'GET' } },
        { type: 'click', messageId: m2, subscriberId: seed.subscriberIds[1], url: 'https://shop.example.com/a', data: { method: 'HEAD' } },
      ]);
      expect(rows[1]!.data).not.toHaveProperty('userAgent');
    });

    it('drops hits for unknown messages and records a key once', async () => {
      const repeated = hit({ messageId: seed.messageIds[0]! });
      expect(await recordHits(t.db, [repeated, hit({ messageId: 987654 })])).toBe(1);
      expect(await recordHits(t.db, [repeated])).toBe(0);
      expect(await recordHits(t.db, [])).toBe(0);
      expect(await t.db.$count(events)).toBe(1);
    });

    it('keeps opens free of URLs and cuts long user agents', async () => {
      await recordHits(t.db, [hit({ messageId: seed.messageIds[0]!, url: 'https://not-for-opens.example', userAgent: 'x'.repeat(5000) })]);
      const [row] = await t.db.select().from(events);
      expect(row!.url).toBeNull();
      expect((row!.data as { userAgent: string }).userAgent).toHaveLength(MAX_USER_AGENT);
    });

    it('stores lone surrogates as U+FFFD, never as invalid UTF-8 (which would crash the reader)', async () => {
      await recordHits(t.db, [hit({ messageId: seed.messageIds[0]!, kind: 'click', url: 'https://x.example/\ud800', userAgent: 'a\udc00b\ud83d\ude00' })]);
      const [row] = await t.db.select().from(events);
      expect(row!.url).toBe('https://x.example/\ufffd');
      expect(row!.data).toEqual({ userAgent: 'a\ufffdb\ud83d\ude00', method: 'GET' });
    });

    it('writes a large batch as one statement', async () => {
      const hits = Array.from({ length: 5000 }, (_, i) => hit({ messageId: seed.messageIds[i % 2]!, kind: 'click', url: `https://x.example/${i}` }));
      expect(await recordHits(t.db, hits)).toBe(5000);
    });

    it('looks messages up by primary key (no scan of messages)', async () => {
      const query = new SQLiteAsyncDialect().sqlToQuery(hitsInsert([hit({ messageId: 1 })]));
      const plan = await t.client.execute({ sql: `explain query plan ${query.sql}`, args: query.params as string[] });
      const details = plan.rows.map((r) => String(r.detail));
      expect(details).toContainEqual(expect.stringMatching(/^SEARCH m USING INTEGER PRIMARY KEY/));
      expect(details.filter((d) => /^SCAN m\b/.test(d))).toEqual([]);
    });
  });

  describe('unsubscribeByMessage', () => {
    const statuses = async (subscriberId: number) =>
      Object.fromEntries(
        (await t.db.select().from(listMembers).where(eq(listMembers.subscriberId, subscriberId))).map((m) => [m.listId, m.status]),
      );

    it("unsubscribes from the campaign's lists only, records once, and is idempotent", async () => {
      const [m1] = seed.messageIds as [number];
      const [s1, s2] = seed.subscriberIds as [number, number];
      const first = await unsubscribeByMessage(t.db, m1, 'one-click', { userAgent: 'Provider/2', method: 'POST' });
      expect(first).toEqual({ found: true, recorded: true, membershipsChanged: 2 });
      expect(await statuses(s1)).toEqual({ [seed.listIds[0]]: 'unsubscribed', [seed.listIds[1]]: 'unsubscribed', [seed.otherListId]: 'subscribed' });
      expect(Object.values(await statuses(s2))).toEqual(['subscribed', 'subscribed', 'subscribed']);

      expect(await unsubscribeByMessage(t.db, m1, 'form')).toEqual({ found: true, recorded: false, membershipsChanged: 0 });
      const rows = await t.db.select().from(events).where(and(eq(events.type, 'unsubscribe')));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        key: `unsubscribe:${m1}`,
        messageId: m1,
        campaignId: seed.campaignId,
        subscriberId: s1,
        data: { source: 'one-click', userAgent: 'Provider/2', method: 'POST' },
      });
    });

    it('unsubscribes again after a re-subscribe, without a second event', async () => {
      const [m1] = seed.messageIds as [number];
      await unsubscribeByMessage(t.db, m1, 'form');
      await t.db.update(listMembers).set({ status: 'subscribed' }).where(eq(listMembers.subscriberId, seed.subscriberIds[0]!));
      expect(await unsubscribeByMessage(t.db, m1, 'form')).toEqual({ found: true, recorded: false, membershipsChanged: 2 });
      expect(await t.db.$count(events)).toBe(1);
    });

    it('reports an unknown message and changes nothing', async () => {
      expect(await unsubscribeByMessage(t.db, 987654, 'one-click')).toEqual({ found: false, recorded: false, membershipsChanged: 0 });
      expect(await t.db.$count(events)).toBe(0);
      expect(await t.db.$count(listMembers, eq(listMembers.status, 'unsubscribed'))).toBe(0);
    });

    it('refuses a message id that is not a positive integer', async () => {
      await expect(unsubscribeByMessage(t.db, 0, 'form')).rejects.toThrow(/messageId must be a positive integer/);
      await expect(unsubscribeByMessage(t.db, 1.5, 'form')).rejects.toThrow(/messageId/);
    });
  });

  it('runs no burst rule for anonymous clicks, which name no message', () => {
    const anonymous: HitRow = { key: 'anon-1', kind: 'click', campaignId: 1, url: 'https://a.example/', at: Date.now(), method: 'GET' };
    expect(clickBurstUpdate([anonymous])).toBeNull();
    expect(clickBurstUpdate([anonymous, { ...anonymous, key: 'k-2', campaignId: undefined, messageId: 7 }])).not.toBeNull();
  });
});
