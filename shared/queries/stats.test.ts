import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { campaigns, events, messages } from '../db/schema';
import { campaignStats, campaignStatsQueries, TOP_LINKS } from './stats';

type EventRow = typeof events.$inferInsert;

describe('campaignStats', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let n = 0;
  const event = (messageIndex: number, type: EventRow['type'], url?: string, campaignId = seed.campaignId): EventRow => ({
    key: `k${n++}`,
    type,
    messageId: seed.messageIds[messageIndex]!,
    campaignId,
    subscriberId: seed.subscriberIds[messageIndex]!,
    occurredAt: Date.now(),
    ...(url ? { url } : {}),
  });

  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 5);
  });
  afterEach(() => t.close());

  it('is null for a campaign that does not exist', async () => {
    expect(await campaignStats(t.db, 999_999)).toBeNull();
    expect(await campaignStats(t.db, 0)).toBeNull();
  });

  it('is all zeros for a campaign with no messages yet', async () => {
    const [draft] = await t.db.insert(campaigns).values({ name: 'd', subject: 's', fromAddress: 'a@b.example', format: 'text', body: 'x' }).returning();
    expect(await campaignStats(t.db, draft!.id)).toEqual({
      campaignId: draft!.id,
      status: 'draft',
      recipients: 0,
      queued: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      delivered: 0,
      bounced: 0,
      complained: 0,
      opened: { total: 0, unique: 0 },
      clicked: { total: 0, unique: 0 },
      unsubscribed: { total: 0, unique: 0 },
      topLinks: [],
    });
  });

  it('counts outcomes by message status and engagement as total and unique', async () => {
    const ids = seed.messageIds;
    const setStatus = (i: number, status: 'queued' | 'failed' | 'skipped' | 'cancelled') =>
      t.db.update(messages).set({ status }).where(eq(messages.id, ids[i]!));
    await setStatus(2, 'queued');
    await setStatus(3, 'failed');
    await setStatus(4, 'cancelled');

    // Another campaign's events must not leak into this one's numbers.
    const [other] = await t.db.insert(campaigns).values({ name: 'o', subject: 's', fromAddress: 'a@b.example', format: 'text', body: 'x' }).returning();
    await t.db.insert(events).values([
      event(0, 'delivered'),
      event(0, 'delivered'), // a repeated webhook with another id: still one delivered message
      event(1, 'delivered'),
      event(1, 'bounce'),
      event(0, 'complaint'),
      event(0, 'open'),
      event(0, 'open'),
      event(0, 'open'),
      event(1, 'open'),
      event(0, 'click', 'https://a.example/'),
      event(0, 'click', 'https://a.example/'),
      event(1, 'click', 'https://a.example/'),
      event(1, 'click', 'https://b.example/'),
      event(1, 'unsubscribe'),
      event(0, 'open', undefined, other!.id),
      event(0, 'click', 'https://other.example/', other!.id),
    ]);

    const stats = await campaignStats(t.db, seed.campaignId);
    expect(stats).toEqual({
      campaignId: seed.campaignId,
      status: 'sent',
      recipients: 5,
      queued: 1,
      sent: 2,
      failed: 1,
      skipped: 1,
      delivered: 2,
      bounced: 1,
      complained: 1,
      opened: { total: 4, unique: 2 },
      clicked: { total: 4, unique: 2 },
      unsubscribed: { total: 1, unique: 1 },
      topLinks: [
        { url: 'https://a.example/', total: 3, unique: 2 },
        { url: 'https://b.example/', total: 1, unique: 1 },
      ],
    });
    expect(stats!.recipients).toBe(stats!.queued + stats!.sent + stats!.failed + stats!.skipped);
  });

  it(`lists at most ${TOP_LINKS} links, most clicked first`, async () => {
    const clicks = Array.from({ length: TOP_LINKS + 5 }, (_, i) => Array.from({ length: i + 1 }, () => event(0, 'click', `https://x.example/${i}`))).flat();
    await t.db.insert(events).values(clicks);
    const { topLinks } = (await campaignStats(t.db, seed.campaignId))!;
    expect(topLinks).toHaveLength(TOP_LINKS);
    expect(topLinks[0]).toEqual({ url: `https://x.example/${TOP_LINKS + 4}`, total: TOP_LINKS + 5, unique: 1 });
    expect(topLinks.map((l) => l.total)).toEqual([...topLinks.map((l) => l.total)].sort((a, b) => b - a));
  });

  it('reads through the indexes, never a full scan of messages or events', async () => {
    const plans: string[][] = [];
    for (const query of campaignStatsQueries(t.db, seed.campaignId)) {
      const { sql, params } = query.toSQL();
      const plan = await t.client.execute({ sql: `explain query plan ${sql}`, args: params as (string | number)[] });
      plans.push(plan.rows.map((r) => String(r.detail)));
    }
    const all = plans.flat();
    expect(all.filter((d) => /^SCAN (messages|events|campaigns)\b/.test(d))).toEqual([]);
    expect(plans[0]).toContainEqual(expect.stringMatching(/^SEARCH campaigns USING INTEGER PRIMARY KEY/));
    expect(plans[1]).toContainEqual(expect.stringMatching(/^SEARCH messages USING COVERING INDEX messages_campaign_status \(campaign_id=\?\)/));
    expect(plans[2]).toContainEqual(expect.stringMatching(/^SEARCH events USING (COVERING )?INDEX events_campaign_type \(campaign_id=\?\)/));
    expect(plans[3]).toContainEqual(expect.stringMatching(/^SEARCH events USING (COVERING )?INDEX events_campaign_type \(campaign_id=\? AND type=\?\)/));
  });
});
