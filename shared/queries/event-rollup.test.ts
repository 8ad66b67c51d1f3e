import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../node/migrate';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { events, subscribers } from '../db/schema';
import { recordDeliveryEvents } from './delivery-events';
import { rollUpEvents } from './event-rollup';
import { unsubscribeByMessage } from './events';
import { recordHits } from './hits';
import type { HitRow } from '../tracking/hit';

const T0 = Date.UTC(2030, 0, 1, 9, 0);
const HOUR = 3_600_000;
const A = 'https://shop.example/a';
const B = 'https://shop.example/b';
const C = 'https://shop.example/c';

/** The backfill statements of migration 0012 (its event_rollup row and the counts from stored events). */
function backfillStatements(): string[] {
  const text = readFileSync(`${migrationsFolder}/0012_campaign-counters.sql`, 'utf8');
  return text
    .split('--> statement-breakpoint')
    .filter((s) => /INSERT INTO `event_rollup`|INSERT INTO `campaign_event_counts`/.test(s));
}

describe('event rollup', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let n = 0;
  const hit = (i: number, kind: 'open' | 'click', at: number, url?: string, machine?: [boolean, string]): HitRow => ({
    key: `h${n++}`,
    kind,
    messageId: seed.messageIds[i]!,
    at,
    method: 'GET',
    ...(url ? { url } : {}),
    ...(machine ? { machine: machine[0], reason: machine[1] } : { machine: false, reason: 'human' }),
  });
  const rows = async () =>
    (await t.client.execute('select campaign_id, dimension, key, type, total, human_total, messages, human_messages from campaign_event_counts order by 1, 2, 3, 4')).rows.map((r) => ({ ...r }));
  const row = async (dimension: string, key: string, type: string) => {
    const found = (await rows()).find((r) => r.dimension === dimension && r.key === key && r.type === type);
    return found && { total: found.total, humanTotal: found.human_total, messages: found.messages, humanMessages: found.human_messages };
  };
  const flip = (key: string, reason = 'click-burst') => t.client.execute({ sql: 'update events set machine = 1, machine_reason = ? where key = ?', args: [reason, key] });
  const watermark = async () => Number((await t.client.execute('select last_event_id from event_rollup')).rows[0]!.last_event_id);
  /** The counters as a rollup from scratch makes them, and as the migration's backfill makes them. */
  const recounts = async () => {
    const kept = await rows();
    await t.client.executeMultiple('delete from campaign_event_counts; update event_rollup set last_event_id = 0;');
    await rollUpEvents(t.db);
    const rolled = await rows();
    await t.client.executeMultiple('delete from campaign_event_counts; delete from event_rollup;');
    for (const statement of backfillStatements()) await t.client.execute(statement);
    const backfilled = await rows();
    return { kept, rolled, backfilled };
  };
  const expectExact = async () => {
    const { kept, rolled, backfilled } = await recounts();
    expect(kept).toEqual(rolled);
    expect(backfilled).toEqual(rolled);
  };

  beforeEach(async () => {
    n = 0;
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 4);
  });
  afterEach(() => t.close());

  it('counts each write in the same batch, per dimension, with unique and human messages, and moves the watermark', async () => {
    await recordHits(t.db, [
      hit(0, 'open', T0, undefined, [true, 'apple-mpp']),
      hit(0, 'open', T0 + 1000),
      hit(0, 'open', T0 + HOUR),
      hit(1, 'click', T0 + 2 * HOUR, A),
      hit(1, 'click', T0 + 2 * HOUR + 60_000, A),
    ]);
    expect(await row('all', '', 'open')).toEqual({ total: 3, humanTotal: 2, messages: 1, humanMessages: 1 });
    // The message's first open was in the first hour (a machine's); its first human open too.
    expect(await row('hour', String(T0), 'open')).toEqual({ total: 2, humanTotal: 1, messages: 1, humanMessages: 1 });
    expect(await row('hour', String(T0 + HOUR), 'open')).toEqual({ total: 1, humanTotal: 1, messages: 0, humanMessages: 0 });
    expect(await row('link', A, 'click')).toEqual({ total: 2, humanTotal: 2, messages: 1, humanMessages: 1 });
    expect(await row('domain', 'example.com', 'click')).toEqual({ total: 2, humanTotal: 2, messages: 1, humanMessages: 1 });
    expect(await row('reason', 'apple-mpp', 'open')).toEqual({ total: 1, humanTotal: 0, messages: 0, humanMessages: 0 });
    expect(await row('all', '', 'open-machine')).toEqual({ total: 1, humanTotal: 0, messages: 1, humanMessages: 0 });
    const [maxId] = (await t.client.execute('select max(id) as id from events')).rows;
    expect(await watermark()).toBe(Number(maxId!.id));

    // A retried batch (same keys) records nothing and counts nothing.
    n -= 5;
    await recordHits(t.db, [hit(0, 'open', T0), hit(0, 'open', T0 + 1000), hit(0, 'open', T0 + HOUR), hit(1, 'click', T0, A), hit(1, 'click', T0, A)]);
    expect(await row('all', '', 'open')).toEqual({ total: 3, humanTotal: 2, messages: 1, humanMessages: 1 });
    await expectExact();
  });

  it('counts delivery events by the reported recipient, hard bounces apart, and skips events with no campaign', async () => {
    const [m0, m1, m2] = seed.messageIds as [number, number, number];
    await recordDeliveryEvents(t.db, [
      { source: 'postmark', key: 'p:1', type: 'delivered', messageId: m0, recipient: 'reader1@Mail.Example.org', occurredAt: T0 },
      { source: 'postmark', key: 'p:2', type: 'bounce', bounceClass: 'soft', messageId: m1, recipient: 'reader2@example.com', occurredAt: T0 },
      { source: 'postmark', key: 'p:3', type: 'bounce', bounceClass: 'hard', messageId: m1, recipient: 'reader2@example.com', occurredAt: T0 + 1 },
      { source: 'postmark', key: 'p:4', type: 'bounce', bounceClass: 'hard', messageId: m1, recipient: 'reader2@example.com', occurredAt: T0 + 2 },
      { source: 'postmark', key: 'p:5', type: 'bounce', bounceClass: 'soft', messageId: m2, recipient: 'reader3@example.com', occurredAt: T0 },
      { source: 'postmark', key: 'p:6', type: 'complaint', recipient: 'stranger@else.example', occurredAt: T0 },
    ]);
    await unsubscribeByMessage(t.db, m2, 'one-click');
    expect(await row('domain', 'mail.example.org', 'delivered')).toEqual({ total: 1, humanTotal: 1, messages: 1, humanMessages: 1 });
    expect(await row('all', '', 'bounce')).toMatchObject({ total: 4, messages: 2 });
    expect(await row('all', '', 'bounce-hard')).toMatchObject({ total: 2, messages: 1 });
    expect(await row('domain', 'example.com', 'unsubscribe')).toMatchObject({ total: 1, messages: 1 });
    expect((await rows()).filter((r) => r.type === 'complaint')).toEqual([]);
    expect(await watermark()).toBe(Number((await t.client.execute('select max(id) as id from events')).rows[0]!.id));
    await expectExact();
  });

  it('falls back to the subscriber’s address for the domain, and to no domain without one', async () => {
    await t.db.update(subscribers).set({ email: 'Reader1@Sub.Example.NET' }).where(eq(subscribers.id, seed.subscriberIds[0]!));
    await recordHits(t.db, [hit(0, 'open', T0)]);
    expect(await row('domain', 'sub.example.net', 'open')).toMatchObject({ total: 1, messages: 1 });
    await expectExact();
  });

  it('counts a link once per message, within a batch and across batches', async () => {
    await recordHits(t.db, [hit(0, 'click', T0, A, [true, 'head-request'])]);
    await recordHits(t.db, [hit(0, 'click', T0 + 60_000, A), hit(0, 'click', T0 + 70_000, A), hit(0, 'click', T0 + 80_000, B), hit(1, 'click', T0 + 90_000, B), hit(1, 'click', T0 + 95_000, B)]);
    expect(await row('link', A, 'click')).toEqual({ total: 3, humanTotal: 2, messages: 1, humanMessages: 1 });
    expect(await row('link', B, 'click')).toEqual({ total: 3, humanTotal: 3, messages: 2, humanMessages: 2 });
    await expectExact();
  });

  it('counts events with a campaign but no message (anonymous tracking) in totals, never as messages', async () => {
    const anonymous = (key: string, type: 'open' | 'click', machine: boolean) =>
      ({ key, type, campaignId: seed.campaignId, occurredAt: T0, machine, ...(type === 'click' ? { url: A } : {}), ...(machine ? { machineReason: 'apple-mpp' } : {}) }) as const;
    await t.db.insert(events).values([anonymous('a1', 'open', false), anonymous('a2', 'open', true), anonymous('a3', 'click', false), anonymous('a4', 'click', false)]);
    await rollUpEvents(t.db);
    expect(await row('all', '', 'open')).toEqual({ total: 2, humanTotal: 1, messages: 0, humanMessages: 0 });
    expect(await row('all', '', 'open-machine')).toEqual({ total: 1, humanTotal: 0, messages: 0, humanMessages: 0 });
    expect(await row('link', A, 'click')).toEqual({ total: 2, humanTotal: 2, messages: 0, humanMessages: 0 });
    expect(await row('domain', '', 'click')).toEqual({ total: 2, humanTotal: 2, messages: 0, humanMessages: 0 });
    await flip('a3');
    expect(await row('link', A, 'click')).toEqual({ total: 2, humanTotal: 1, messages: 0, humanMessages: 0 });
    await expectExact();
  });

  it('counts events written without it (by hand) at the next rollup, once', async () => {
    await t.db.insert(events).values({ key: 'hand', type: 'open', messageId: seed.messageIds[0]!, campaignId: seed.campaignId, subscriberId: seed.subscriberIds[0]!, occurredAt: T0 });
    expect(await row('all', '', 'open')).toBeUndefined();
    await recordHits(t.db, [hit(0, 'open', T0 + 5)]);
    expect(await row('all', '', 'open')).toEqual({ total: 2, humanTotal: 2, messages: 1, humanMessages: 1 });
    await rollUpEvents(t.db);
    expect(await row('all', '', 'open')).toEqual({ total: 2, humanTotal: 2, messages: 1, humanMessages: 1 });
  });

  it('counts big batches whose events fall into the same counter rows, first or not, human or not, as a recount does', async () => {
    // The rollup tallies a batch's events by everything that decides their counters before it
    // builds the rows: here most tallies hold several events.
    const hits: HitRow[] = [];
    for (let i = 0; i < 40; i++) {
      hits.push(hit(i % 4, 'open', T0 + i, undefined, i % 3 === 0 ? [true, 'apple-mpp'] : undefined));
      hits.push(hit(i % 4, 'click', T0 + i * 60_000, [A, B, C][i % 3], i % 5 === 0 ? [true, 'scanner:mimecast'] : undefined));
    }
    hits.push({ key: 'anonymous-1', kind: 'open', campaignId: seed.campaignId, at: T0, method: 'GET', machine: false, reason: 'human' });
    hits.push({ key: 'anonymous-2', kind: 'open', campaignId: seed.campaignId, at: T0, method: 'GET', machine: true, reason: 'apple-mpp' });
    await recordHits(t.db, hits);
    await recordDeliveryEvents(
      t.db,
      Array.from({ length: 12 }, (_, i) => ({
        source: 'postmark' as const, key: `p:${i}`, type: 'bounce' as const, bounceClass: i % 2 ? ('hard' as const) : ('soft' as const),
        messageId: seed.messageIds[i % 4]!, recipient: `reader${(i % 4) + 1}@example.com`, occurredAt: T0 + i,
      })),
    );
    expect(await row('all', '', 'open')).toEqual({ total: 42, humanTotal: 27, messages: 4, humanMessages: 4 });
    expect(await row('reason', 'apple-mpp', 'open')).toMatchObject({ total: 15 });
    expect(await row('all', '', 'open-machine')).toEqual({ total: 15, humanTotal: 0, messages: 4, humanMessages: 0 });
    expect(await row('all', '', 'bounce')).toMatchObject({ total: 12, messages: 4 });
    expect(await row('domain', 'example.com', 'bounce-hard')).toMatchObject({ total: 6, messages: 2 });
    await expectExact();
  });

  describe('a counted click that turns machine (the flip trigger)', () => {
    it('flipping the first of two human clicks leaves the message human; flipping the second makes it machine', async () => {
      await recordHits(t.db, [hit(0, 'click', T0, A), hit(0, 'click', T0 + 2 * HOUR, A)]);
      await flip('h0');
      expect(await row('all', '', 'click')).toEqual({ total: 2, humanTotal: 1, messages: 1, humanMessages: 1 });
      expect(await row('link', A, 'click')).toEqual({ total: 2, humanTotal: 1, messages: 1, humanMessages: 1 });
      // The first human click is now in the later hour.
      expect(await row('hour', String(T0), 'click')).toEqual({ total: 1, humanTotal: 0, messages: 1, humanMessages: 0 });
      expect(await row('hour', String(T0 + 2 * HOUR), 'click')).toEqual({ total: 1, humanTotal: 1, messages: 0, humanMessages: 1 });
      expect(await row('reason', 'click-burst', 'click')).toMatchObject({ total: 1 });
      expect(await row('all', '', 'click-machine')).toMatchObject({ total: 1, messages: 1 });
      await expectExact();

      await flip('h1');
      expect(await row('all', '', 'click-machine')).toMatchObject({ total: 2, messages: 1 });
      expect(await row('all', '', 'click')).toEqual({ total: 2, humanTotal: 0, messages: 1, humanMessages: 0 });
      expect(await row('link', A, 'click')).toEqual({ total: 2, humanTotal: 0, messages: 1, humanMessages: 0 });
      expect(await row('reason', 'click-burst', 'click')).toMatchObject({ total: 2 });
      await expectExact();
    });

    it('flipping the second of two human clicks changes only totals', async () => {
      await recordHits(t.db, [hit(0, 'click', T0, A), hit(0, 'click', T0 + 1000, B)]);
      await flip('h1', 'honeypot-burst');
      expect(await row('all', '', 'click')).toEqual({ total: 2, humanTotal: 1, messages: 1, humanMessages: 1 });
      expect(await row('link', B, 'click')).toEqual({ total: 1, humanTotal: 0, messages: 1, humanMessages: 0 });
      await expectExact();
    });

    it('a click flipped before it is rolled up is counted as a machine’s, by the rollup alone', async () => {
      await t.db.insert(events).values({ key: 'late', type: 'click', url: A, machine: false, messageId: seed.messageIds[0]!, campaignId: seed.campaignId, subscriberId: seed.subscriberIds[0]!, occurredAt: T0 });
      await flip('late');
      await rollUpEvents(t.db);
      expect(await row('all', '', 'click')).toEqual({ total: 1, humanTotal: 0, messages: 1, humanMessages: 0 });
      expect(await row('reason', 'click-burst', 'click')).toMatchObject({ total: 1 });
      await expectExact();
    });

    it('stays exact through real click bursts that span batches, with several flips in one statement', async () => {
      // Message 0: a person, then a scanner clicking every link within a second, in two batches.
      await recordHits(t.db, [hit(0, 'click', T0, A), hit(0, 'click', T0 + HOUR, A), hit(1, 'click', T0, B)]);
      await recordHits(t.db, [hit(0, 'click', T0 + HOUR + 100, B), hit(0, 'click', T0 + HOUR + 200, C), hit(1, 'open', T0 + 5)]);
      // Message 1: three links clicked at once in one batch, after an open and a click counted earlier.
      await recordHits(t.db, [hit(1, 'click', T0 + 300, A), hit(1, 'click', T0 + 400, C), hit(2, 'click', T0, C)]);
      const machine = (await t.client.execute("select count(*) as n from events where machine = 1 and machine_reason = 'click-burst'")).rows[0]!.n;
      expect(Number(machine)).toBeGreaterThanOrEqual(6);
      expect(await row('all', '', 'click')).toMatchObject({ total: 8, messages: 3, humanMessages: 2 });
      await expectExact();
    });
  });
});
