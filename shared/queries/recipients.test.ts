import { and, eq, inArray, sql } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedCampaign } from '../../test/helpers/seed';
import { campaignLists, listMembers, lists, subscribers, suppressions } from '../db/schema';
import { listPageSql, nextRecipients } from './recipients';

describe('nextRecipients', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  /** Every recipient, read in pages of `limit` from the cursor as the dispatcher does. */
  async function allPages(campaignId: number, limit: number): Promise<number[][]> {
    const pages: number[][] = [];
    for (let cursor = 0; ; ) {
      const page = await nextRecipients(t.db, campaignId, cursor, limit);
      if (page.length === 0) return pages;
      pages.push(page);
      cursor = page.at(-1)!;
    }
  }

  it('merges overlapping lists into one ordered page of each recipient once, leaving out whoever must not get mail', async () => {
    const { campaign, subscribers: people, list: first } = await seedCampaign(t.db, { subscribers: 30 });
    const ids = people.map((p) => p.id);
    const [second] = await t.db.insert(lists).values({ name: 'Second' }).returning();
    await t.db.insert(campaignLists).values({ campaignId: campaign.id, listId: second!.id });
    // The second list holds the last ten of the first (overlap) and ten only it has.
    const onlySecond = await t.db
      .insert(subscribers)
      .values(Array.from({ length: 10 }, (_, i) => ({ email: `second${i}@example.com` })))
      .returning({ id: subscribers.id });
    const secondMembers = [...ids.slice(20), ...onlySecond.map((s) => s.id)];
    await t.db.insert(listMembers).values(secondMembers.map((subscriberId) => ({ listId: second!.id, subscriberId })));
    // Out: unsubscribed from the only list they are on, unconfirmed, blocklisted, suppressed.
    const [unsubscribed, unconfirmed, blocklisted, suppressed] = ids;
    await t.db.update(listMembers).set({ status: 'unsubscribed' }).where(and(eq(listMembers.listId, first.id), eq(listMembers.subscriberId, unsubscribed!)));
    await t.db.update(listMembers).set({ status: 'unconfirmed' }).where(and(eq(listMembers.listId, first.id), eq(listMembers.subscriberId, unconfirmed!)));
    await t.db.update(subscribers).set({ status: 'blocklisted' }).where(eq(subscribers.id, blocklisted!));
    await t.db.insert(suppressions).values({ email: people[3]!.email, reason: 'hard_bounce' });
    // In: unsubscribed from the first list but still subscribed to the second.
    const stillOnSecond = ids[25]!;
    await t.db.update(listMembers).set({ status: 'unsubscribed' }).where(and(eq(listMembers.listId, first.id), eq(listMembers.subscriberId, stillOnSecond)));
    // A list of another campaign is not read.
    const [other] = await t.db.insert(lists).values({ name: 'Other' }).returning();
    const stranger = await t.db.insert(subscribers).values({ email: 'stranger@example.com' }).returning({ id: subscribers.id });
    await t.db.insert(listMembers).values({ listId: other!.id, subscriberId: stranger[0]!.id });

    const excluded = new Set([unsubscribed, unconfirmed, blocklisted, suppressed]);
    const expected = [...ids.filter((id) => !excluded.has(id)), ...onlySecond.map((s) => s.id)];
    for (const limit of [1, 7, 26, 100]) {
      const pages = await allPages(campaign.id, limit);
      expect(pages.flat()).toEqual(expected);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    }
    expect(await nextRecipients(t.db, campaign.id, expected.at(-1)!, 10)).toEqual([]);
  });

  it('reads each list as a range of its members from the cursor, never a sort of all of them', async () => {
    const { campaign, list } = await seedCampaign(t.db, { subscribers: 3 });
    await t.db.delete(campaignLists).where(inArray(campaignLists.listId, [list.id]));
    expect(await nextRecipients(t.db, campaign.id, 0, 10)).toEqual([]);
    await t.db.insert(campaignLists).values({ campaignId: campaign.id, listId: list.id });
    const query = new SQLiteAsyncDialect().sqlToQuery(sql`explain query plan ${listPageSql(list.id, 0, 10)}`);
    const plan = await t.client.execute({ sql: query.sql, args: query.params as number[] });
    const details = plan.rows.map((r) => String(r.detail)).join('\n');
    expect(details).toMatch(/SEARCH lm USING INDEX sqlite_autoindex_list_members_1 \(list_id=\? AND subscriber_id>\?\)/);
    expect(details).not.toMatch(/TEMP B-TREE/);
  });
});
