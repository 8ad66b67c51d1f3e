import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../node/migrate';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { campaigns, events, messages } from '../db/schema';
import { rollUpEvents } from './event-rollup';
import { campaignStats, campaignStatsQueries, TOP_LINKS } from './stats';

type EventRow = typeof events.$inferInsert;

/** Counts messages written by hand (the seed, status updates) as migration 0012 counts an upgrade's. */
async function countMessagesByHand(t: TestDatabase) {
  const text = readFileSync(`${migrationsFolder}/0012_campaign-counters.sql`, 'utf8');
  await t.client.execute('delete from campaign_message_counts');
  for (const statement of text.split('--> statement-breakpoint').filter((s) => s.includes('INSERT INTO `campaign_message_counts`'))) await t.client.execute(statement);
}

describe('campaignStats', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let n = 0;
  const event = (messageIndex: number, type: EventRow['type'], url?: string, campaignId = seed.campaignId, bounceClass?: 'hard' | 'soft'): EventRow => ({
    key: `k${n++}`,
    type,
    messageId: seed.messageIds[messageIndex]!,
    campaignId,
    subscriberId: seed.subscriberIds[messageIndex]!,
    occurredAt: Date.now(),
    ...(url ? { url } : {}),
    ...(bounceClass ? { bounceClass } : {}),
  });
  const bounce = (messageIndex: number, bounceClass?: 'hard' | 'soft') => event(messageIndex, 'bounce', undefined, seed.campaignId, bounceClass);
  // Written by hand, then counted as the writers' own batches would (shared/queries/event-rollup.ts).
  const insertEvents = async (rows: EventRow[]) => {
    await t.db.insert(events).values(rows);
    await rollUpEvents(t.db);
  };

  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 5);
    await countMessagesByHand(t);
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
      bounced: { hard: 0, soft: 0 },
      deferred: 0,
      dropped: 0,
      complained: 0,
      opened: { total: 0, unique: 0, human: { total: 0, unique: 0 }, machine: { total: 0, unique: 0 }, machineReasons: {} },
      clicked: { total: 0, unique: 0, human: { total: 0, unique: 0 }, machine: { total: 0, unique: 0 }, machineReasons: {} },
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
    await countMessagesByHand(t);

    // Another campaign's events must not leak into this one's numbers.
    const [other] = await t.db.insert(campaigns).values({ name: 'o', subject: 's', fromAddress: 'a@b.example', format: 'text', body: 'x' }).returning();
    await insertEvents([
      event(0, 'delivered'),
      event(0, 'delivered'), // a repeated webhook with another id: still one delivered message
      event(1, 'delivered'),
      bounce(1, 'soft'),
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
      bounced: { hard: 0, soft: 1 },
      deferred: 0,
      dropped: 0,
      complained: 1,
      // Rows with no verdict (recorded before hits were classified) count as human.
      opened: { total: 4, unique: 2, human: { total: 4, unique: 2 }, machine: { total: 0, unique: 0 }, machineReasons: {} },
      clicked: { total: 4, unique: 2, human: { total: 4, unique: 2 }, machine: { total: 0, unique: 0 }, machineReasons: {} },
      unsubscribed: { total: 1, unique: 1 },
      topLinks: [
        { url: 'https://a.example/', total: 3, unique: 2, human: { total: 3, unique: 2 } },
        { url: 'https://b.example/', total: 1, unique: 1, human: { total: 1, unique: 1 } },
      ],
    });
    expect(stats!.recipients).toBe(stats!.queued + stats!.sent + stats!.failed + stats!.skipped);
  });

  it('counts bounced messages once each, as hard when any of their bounces was, and deferred and dropped ones', async () => {
    await insertEvents([
      bounce(0, 'soft'),
      bounce(0, 'soft'), // the same message deferred twice before giving up: still one
      bounce(0, 'hard'), // ...then bounced hard: it counts as hard only
      bounce(1, 'hard'),
      bounce(1, 'hard'),
      bounce(2, 'soft'),
      bounce(3), // a source that did not classify it: not hard
      event(2, 'deferred'),
      event(2, 'deferred'),
      event(4, 'deferred'),
      event(4, 'dropped'),
    ]);
    const stats = (await campaignStats(t.db, seed.campaignId))!;
    expect(stats.bounced).toEqual({ hard: 2, soft: 2 });
    expect(stats.deferred).toBe(2);
    expect(stats.dropped).toBe(1);
  });

  it(`lists at most ${TOP_LINKS} links, most clicked first`, async () => {
    const clicks = Array.from({ length: TOP_LINKS + 5 }, (_, i) => Array.from({ length: i + 1 }, () => event(0, 'click', `https://x.example/${i}`))).flat();
    await insertEvents(clicks);
    const { topLinks } = (await campaignStats(t.db, seed.campaignId))!;
    expect(topLinks).toHaveLength(TOP_LINKS);
    expect(topLinks[0]).toEqual({ url: `https://x.example/${TOP_LINKS + 4}`, total: TOP_LINKS + 5, unique: 1, human: { total: TOP_LINKS + 5, unique: 1 } });
    expect(topLinks.map((l) => l.total)).toEqual([...topLinks.map((l) => l.total)].sort((a, b) => b - a));
  });

  it('splits opens and clicks into human and machine, counts machine hits per reason, and counts human clicks per link', async () => {
    const by = (machine: boolean, machineReason: string) => ({ machine, machineReason });
    await insertEvents([
      { ...event(0, 'open'), ...by(true, 'apple-mpp') },
      { ...event(0, 'open'), ...by(false, 'human') },
      { ...event(1, 'open'), ...by(true, 'apple-mpp') },
      { ...event(2, 'open'), ...by(true, 'gmail-proxy') },
      { ...event(0, 'click', 'https://a.example/'), ...by(true, 'head-request') },
      { ...event(0, 'click', 'https://a.example/'), ...by(true, 'early-click') },
      { ...event(0, 'click', 'https://a.example/'), ...by(false, 'human') },
      { ...event(1, 'click', 'https://a.example/'), ...by(true, 'honeypot') },
      { ...event(1, 'click', 'https://b.example/'), ...by(false, 'human') },
    ]);
    const stats = (await campaignStats(t.db, seed.campaignId))!;
    expect(stats.opened).toEqual({
      total: 4,
      unique: 3,
      human: { total: 1, unique: 1 },
      machine: { total: 3, unique: 3 },
      machineReasons: { 'apple-mpp': 2, 'gmail-proxy': 1 },
    });
    expect(stats.clicked).toEqual({
      total: 5,
      unique: 2,
      human: { total: 2, unique: 2 },
      machine: { total: 3, unique: 2 },
      machineReasons: { 'head-request': 1, 'early-click': 1, honeypot: 1 },
    });
    expect(stats.topLinks).toEqual([
      { url: 'https://a.example/', total: 4, unique: 2, human: { total: 1, unique: 1 } },
      { url: 'https://b.example/', total: 1, unique: 1, human: { total: 1, unique: 1 } },
    ]);
  });

  it('reads the counters through their primary key, never the events nor the messages', async () => {
    const plans: string[][] = [];
    for (const query of campaignStatsQueries(t.db, seed.campaignId)) {
      const { sql, params } = query.toSQL();
      const plan = await t.client.execute({ sql: `explain query plan ${sql}`, args: params as (string | number)[] });
      plans.push(plan.rows.map((r) => String(r.detail)));
    }
    const all = plans.flat();
    expect(all.filter((d) => /^SCAN /.test(d))).toEqual([]);
    expect(all.filter((d) => /\b(events|messages)\b/.test(d))).toEqual([]);
    expect(plans[0]).toContainEqual(expect.stringMatching(/^SEARCH campaigns USING INTEGER PRIMARY KEY/));
    expect(plans[1]).toContainEqual(expect.stringMatching(/^SEARCH campaign_event_counts USING INDEX sqlite_autoindex_campaign_event_counts_1 \(campaign_id=\? AND dimension=\?\)/));
    expect(plans[2]).toContainEqual(expect.stringMatching(/^SEARCH campaign_event_counts USING INDEX sqlite_autoindex_campaign_event_counts_1 \(campaign_id=\? AND dimension=\?\)/));
    expect(plans[3]).toContainEqual(expect.stringMatching(/^SEARCH campaign_message_counts USING INDEX sqlite_autoindex_campaign_message_counts_1 \(campaign_id=\? AND domain=\?\)/));
    expect(plans).toHaveLength(4);
  });


});
