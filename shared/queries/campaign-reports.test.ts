import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../node/migrate';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { campaigns, messages, subscribers } from '../db/schema';
import type { DeliveryEvent } from '../feedback/delivery-event';
import { campaignDomains, campaignFeedback, campaignFeedbackQuery, campaignTimeseries, DAY_MS, timeseriesQueries } from './campaign-reports';
import { HOUR_MS } from './event-rollup';
import { recordDeliveryEvents } from './delivery-events';
import { recordHits } from './hits';
import type { HitRow } from '../tracking/hit';

const T0 = Date.UTC(2030, 0, 1, 9, 0);

/** Counts messages written by hand (the seed, status updates) as migration 0012 counts an upgrade's. */
async function countMessagesByHand(t: TestDatabase) {
  const text = readFileSync(`${migrationsFolder}/0012_campaign-counters.sql`, 'utf8');
  await t.client.execute('delete from campaign_message_counts');
  for (const statement of text.split('--> statement-breakpoint').filter((s) => s.includes('INSERT INTO `campaign_message_counts`'))) await t.client.execute(statement);
}

describe('campaign reports', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let n = 0;
  const hit = (i: number, kind: 'open' | 'click', at: number, machine = false): HitRow => ({
    key: `h${n++}`,
    kind,
    messageId: seed.messageIds[i]!,
    at,
    method: 'GET',
    machine,
    reason: machine ? 'apple-mpp' : 'human',
    ...(kind === 'click' ? { url: 'https://shop.example/a' } : {}),
  });
  const relay = (i: number, type: DeliveryEvent['type'], extra: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
    source: 'postmark',
    key: `p${n++}`,
    type,
    messageId: seed.messageIds[i]!,
    recipient: '',
    occurredAt: T0,
    ...extra,
  });

  beforeEach(async () => {
    n = 0;
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 5);
  });
  afterEach(() => t.close());

  describe('campaignTimeseries', () => {
    it('goes by the hour for 7 days after the start, by the day after, with unique messages in the bucket of their first event', async () => {
      await t.db.update(campaigns).set({ startedAt: T0 + 5 * 60_000 }).where(eq(campaigns.id, seed.campaignId));
      const day8 = T0 + 7 * DAY_MS;
      await recordHits(t.db, [
        hit(0, 'open', T0 + 10 * 60_000, true),
        hit(0, 'open', T0 + 20 * 60_000),
        hit(0, 'open', T0 + 2 * HOUR_MS),
        hit(1, 'open', T0 + 2 * HOUR_MS + 1),
        hit(1, 'click', T0 + 2 * HOUR_MS + 2),
        hit(2, 'open', day8 + 3 * HOUR_MS),
        hit(3, 'open', day8 + 20 * HOUR_MS),
        hit(2, 'open', day8 + DAY_MS + 1),
      ]);
      const zero = { total: 0, unique: 0, humanTotal: 0, humanUnique: 0 };
      expect(await campaignTimeseries(t.db, seed.campaignId)).toEqual([
        { at: T0, size: 'hour', opened: { total: 2, unique: 1, humanTotal: 1, humanUnique: 1 }, clicked: zero },
        { at: T0 + 2 * HOUR_MS, size: 'hour', opened: { total: 2, unique: 1, humanTotal: 2, humanUnique: 1 }, clicked: { total: 1, unique: 1, humanTotal: 1, humanUnique: 1 } },
        { at: day8, size: 'day', opened: { total: 2, unique: 2, humanTotal: 2, humanUnique: 2 }, clicked: zero },
        { at: day8 + DAY_MS, size: 'day', opened: { total: 1, unique: 0, humanTotal: 1, humanUnique: 0 }, clicked: zero },
      ]);
    });

    it('starts at the first open or click when the campaign has no start, and is empty without any; null for no campaign', async () => {
      expect(await campaignTimeseries(t.db, seed.campaignId)).toEqual([]);
      await recordHits(t.db, [hit(0, 'open', T0 + 30 * 60_000), hit(1, 'open', T0 + 7 * DAY_MS + 30 * 60_000)]);
      const points = await campaignTimeseries(t.db, seed.campaignId);
      expect(points!.map((p) => [p.at, p.size])).toEqual([[T0, 'hour'], [T0 + 7 * DAY_MS, 'day']]);
      expect(await campaignTimeseries(t.db, 999_999)).toBeNull();
    });

    it('reads one primary-key range of the counters', async () => {
      const { sql, params } = timeseriesQueries(t.db, seed.campaignId)[1].toSQL();
      const plan = (await t.client.execute({ sql: `explain query plan ${sql}`, args: params as (string | number)[] })).rows.map((r) => String(r.detail));
      expect(plan).toEqual([expect.stringMatching(/^SEARCH campaign_event_counts USING INDEX sqlite_autoindex_campaign_event_counts_1 \(campaign_id=\? AND dimension=\?\)/)]);
    });
  });

  describe('campaignDomains', () => {
    it('lists the domains sent most to first, with distinct messages per outcome', async () => {
      const emails = ['a@big.example', 'b@Big.Example', 'c@big.example', 'd@small.example', 'e@none.example'];
      for (const [i, email] of emails.entries()) await t.db.update(subscribers).set({ email }).where(eq(subscribers.id, seed.subscriberIds[i]!));
      await t.db.update(messages).set({ status: 'failed' }).where(eq(messages.id, seed.messageIds[4]!));
      await countMessagesByHand(t);
      await recordDeliveryEvents(t.db, [
        relay(0, 'delivered'),
        relay(0, 'delivered'),
        relay(1, 'delivered'),
        relay(2, 'bounce', { bounceClass: 'soft' }),
        relay(2, 'bounce', { bounceClass: 'hard' }),
        relay(3, 'bounce', { bounceClass: 'soft' }),
        relay(3, 'complaint'),
        relay(1, 'unsubscribe'),
      ]);
      await recordHits(t.db, [hit(0, 'open', T0, true), hit(0, 'open', T0), hit(1, 'open', T0, true), hit(1, 'click', T0)]);
      expect(await campaignDomains(t.db, seed.campaignId, 20)).toEqual([
        { domain: 'big.example', sent: 3, delivered: 2, bounced: { hard: 1, soft: 0 }, complained: 0, opened: { unique: 2, humanUnique: 1 }, clicked: { unique: 1, humanUnique: 1 }, unsubscribed: 1 },
        { domain: 'small.example', sent: 1, delivered: 0, bounced: { hard: 0, soft: 1 }, complained: 1, opened: { unique: 0, humanUnique: 0 }, clicked: { unique: 0, humanUnique: 0 }, unsubscribed: 0 },
        // Its one message failed: listed, last.
        { domain: 'none.example', sent: 0, delivered: 0, bounced: { hard: 0, soft: 0 }, complained: 0, opened: { unique: 0, humanUnique: 0 }, clicked: { unique: 0, humanUnique: 0 }, unsubscribed: 0 },
      ]);
      expect((await campaignDomains(t.db, seed.campaignId, 1))!.map((d) => d.domain)).toEqual(['big.example']);
      expect(await campaignDomains(t.db, 999_999, 20)).toBeNull();
    });
  });

  describe('campaignFeedback', () => {
    it("pages the campaign's bounces and complaints, newest recorded first, through their partial index", async () => {
      await recordDeliveryEvents(t.db, [
        relay(0, 'bounce', { bounceClass: 'hard', recipient: 'reader1@example.com', status: '5.1.1', diagnostic: '550 5.1.1 no such user' }),
        relay(1, 'delivered'),
        relay(1, 'complaint', { recipient: 'reader2@example.com', detail: { feedbackType: 'abuse' } }),
        relay(2, 'bounce', { bounceClass: 'soft', recipient: 'reader3@example.com' }),
      ]);
      await recordHits(t.db, [hit(3, 'open', T0)]);
      const first = await campaignFeedback(t.db, seed.campaignId, 2);
      expect(first!.map((e) => e.type)).toEqual(['bounce', 'complaint', 'bounce']);
      expect(first![1]).toMatchObject({ recipient: 'reader2@example.com', feedbackType: 'abuse', source: 'postmark', bounceClass: null, messageId: seed.messageIds[1] });
      const rest = await campaignFeedback(t.db, seed.campaignId, 2, first![1]!.id);
      expect(rest).toEqual([
        { id: expect.any(Number), type: 'bounce', recipient: 'reader1@example.com', bounceClass: 'hard', status: '5.1.1', diagnostic: '550 5.1.1 no such user', feedbackType: null, source: 'postmark', messageId: seed.messageIds[0], subscriberId: seed.subscriberIds[0], at: T0 },
      ]);
      expect(await campaignFeedback(t.db, 999_999, 2)).toBeNull();

      const { sql, params } = campaignFeedbackQuery(t.db, seed.campaignId, 50, 10).toSQL();
      const plan = (await t.client.execute({ sql: `explain query plan ${sql}`, args: params as (string | number)[] })).rows.map((r) => String(r.detail));
      expect(plan).toEqual([expect.stringMatching(/^SEARCH events USING INDEX events_campaign_feedback \(campaign_id=\? AND id<\?\)/)]);
    });
  });

  it('leaves other campaigns out of every report', async () => {
    const [other] = await t.db.insert(campaigns).values({ name: 'o', subject: 's', fromAddress: 'a@b.example', format: 'text', body: 'x', status: 'sent' }).returning();
    const [message] = await t.db.insert(messages).values({ campaignId: other!.id, subscriberId: seed.subscriberIds[0]!, status: 'sent' }).returning();
    await countMessagesByHand(t);
    await recordHits(t.db, [{ key: 'x', kind: 'open', messageId: message!.id, at: T0, method: 'GET' }]);
    await recordDeliveryEvents(t.db, [{ source: 'postmark', key: 'y', type: 'bounce', bounceClass: 'hard', messageId: message!.id, recipient: 'reader1@example.com', occurredAt: T0 }]);
    expect(await campaignTimeseries(t.db, seed.campaignId)).toEqual([]);
    expect(await campaignFeedback(t.db, seed.campaignId, 10)).toEqual([]);
    expect((await campaignDomains(t.db, seed.campaignId, 10))!.map((d) => [d.domain, d.sent, d.bounced.hard])).toEqual([['example.com', 5, 0]]);
    expect((await campaignFeedback(t.db, other!.id, 10))!.map((e) => e.type)).toEqual(['bounce']);
  });
});
