import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { events, listMembers, messages, suppressions } from '../db/schema';
import type { DeliveryEvent } from '../feedback/delivery-event';
import { recordDeliveryEvents } from './delivery-events';
import { updateSettings } from './settings';
import { campaignStats } from './stats';
import { deleteSuppression } from './suppressions';
import { TEST_MESSAGE_ID } from './test-sends';

const DAY = 86_400_000;

function event(over: Partial<DeliveryEvent> & Pick<DeliveryEvent, 'key' | 'type'>): DeliveryEvent {
  return { source: 'mailgun', recipient: 'reader1@example.com', occurredAt: Date.now(), ...over };
}

describe('recordDeliveryEvents', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 3);
  });
  afterEach(() => t.close());

  const suppressionOf = async (email: string) => (await t.db.select().from(suppressions).where(eq(suppressions.email, email)))[0];

  it('matches by our id, else by the relay id, and keeps unmatched events with their recipient', async () => {
    const [m1, m2] = seed.messageIds as [number, number];
    await t.db.update(messages).set({ providerMessageId: '<relay-2@mg.example>' }).where(eq(messages.id, m2));
    const result = await recordDeliveryEvents(t.db, [
      event({ key: 'mailgun:a', type: 'delivered', messageId: m1 }),
      event({ key: 'mailgun:b', type: 'delivered', providerMessageId: '<relay-2@mg.example>', recipient: 'Reader2@Example.com ' }),
      event({ key: 'mailgun:c', type: 'delivered', messageId: 999_999, recipient: 'stranger@example.org', status: '2.0.0' }),
    ]);
    expect(result).toEqual({ recorded: 3, suppressed: 0 });
    const rows = await t.db.select().from(events).orderBy(events.id);
    expect(rows).toMatchObject([
      { key: 'mailgun:a', messageId: m1, campaignId: seed.campaignId, subscriberId: seed.subscriberIds[0], recipient: 'reader1@example.com', source: 'mailgun' },
      { key: 'mailgun:b', messageId: m2, subscriberId: seed.subscriberIds[1], recipient: 'reader2@example.com', data: { providerMessageId: '<relay-2@mg.example>' } },
      { key: 'mailgun:c', messageId: null, campaignId: null, subscriberId: null, recipient: 'stranger@example.org', data: { status: '2.0.0' } },
    ]);
  });

  it("flags the relay's opens and clicks human or machine: its own flag, else the user agent it reports", async () => {
    const [m1, m2, m3] = seed.messageIds as [number, number, number];
    const browser = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
    await recordDeliveryEvents(t.db, [
      event({ key: 'sendgrid:o1', type: 'open', source: 'sendgrid', messageId: m1, machine: true, userAgent: browser }),
      event({ key: 'postmark:o2', type: 'open', source: 'postmark', messageId: m2, userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' }),
      event({ key: 'mailgun:c3', type: 'click', messageId: m3, url: 'https://shop.example/sale', userAgent: browser }),
      event({ key: 'mailgun:o3', type: 'open', messageId: m3 }), // no agent: nothing to judge by
      event({ key: 'mailgun:d3', type: 'delivered', messageId: m3 }),
    ]);
    const rows = await t.db.select({ key: events.key, machine: events.machine, reason: events.machineReason }).from(events).orderBy(events.id);
    expect(rows).toEqual([
      { key: 'sendgrid:o1', machine: true, reason: 'relay:sendgrid' },
      { key: 'postmark:o2', machine: true, reason: 'gmail-proxy' },
      { key: 'mailgun:c3', machine: false, reason: 'human' },
      { key: 'mailgun:o3', machine: null, reason: null },
      { key: 'mailgun:d3', machine: null, reason: null },
    ]);
    const stats = (await campaignStats(t.db, seed.campaignId))!;
    expect(stats.opened).toMatchObject({ total: 3, human: { total: 1, unique: 1 }, machine: { total: 2, unique: 2 }, machineReasons: { 'relay:sendgrid': 1, 'gmail-proxy': 1 } });
    expect(stats.clicked).toMatchObject({ total: 1, human: { total: 1, unique: 1 } });
  });

  it('records a redelivered event once, in any order, and suppresses on a hard bounce once', async () => {
    const bounce = event({ key: 'ses:x', type: 'bounce', bounceClass: 'hard', messageId: seed.messageIds[0], status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' });
    const delivered = event({ key: 'ses:y', type: 'delivered', messageId: seed.messageIds[0] });
    expect(await recordDeliveryEvents(t.db, [bounce, delivered])).toEqual({ recorded: 2, suppressed: 1 });
    expect(await recordDeliveryEvents(t.db, [delivered, bounce, bounce])).toEqual({ recorded: 0, suppressed: 0 });
    expect(await t.db.$count(events)).toBe(2);
    expect(await suppressionOf('reader1@example.com')).toMatchObject({ reason: 'hard_bounce', detail: 'smtp; 550 5.1.1 user unknown', eventKey: 'ses:x' });
  });

  it('suppresses the address we sent to, not the alias a DSN names, and nobody for a message that is gone', async () => {
    const dsn = (key: string, messageId: number) => event({ key, source: 'bounce-inbox', type: 'bounce', bounceClass: 'hard', messageId, recipient: 'alias@forward.example' });
    await recordDeliveryEvents(t.db, [dsn('b:1', seed.messageIds[1]!), dsn('b:2', 987_654)]);
    expect(await suppressionOf('reader2@example.com')).toMatchObject({ reason: 'hard_bounce' });
    expect(await suppressionOf('alias@forward.example')).toBeUndefined();
  });

  it('suppresses the address a relay reports, which is where it delivered', async () => {
    await recordDeliveryEvents(t.db, [event({ key: 'r:1', type: 'bounce', bounceClass: 'hard', messageId: seed.messageIds[1], recipient: 'Old-Address@Example.com' })]);
    expect(await suppressionOf('old-address@example.com')).toMatchObject({ reason: 'hard_bounce' });
  });

  it('leaves no trace of a test send', async () => {
    const test = event({ key: 't:1', type: 'complaint', messageId: TEST_MESSAGE_ID, recipient: 'reader1@example.com' });
    expect(await recordDeliveryEvents(t.db, [test])).toEqual({ recorded: 0, suppressed: 0 });
    expect(await t.db.$count(events)).toBe(0);
  });

  it('does not undo a re-subscription with a redelivered or late unsubscribe', async () => {
    const unsubscribe = event({ key: 'u:late', type: 'unsubscribe', messageId: seed.messageIds[0], occurredAt: Date.now() - 60_000 });
    await recordDeliveryEvents(t.db, [unsubscribe]);
    await t.db.update(listMembers).set({ status: 'subscribed', updatedAt: Date.now() }).where(eq(listMembers.subscriberId, seed.subscriberIds[0]!));
    await recordDeliveryEvents(t.db, [unsubscribe]);
    const statuses = (await t.db.select().from(listMembers).where(eq(listMembers.subscriberId, seed.subscriberIds[0]!))).map((m) => m.status);
    expect(statuses).toEqual(['subscribed', 'subscribed', 'subscribed']);
  });

  it('suppresses on a complaint, never on a soft bounce, a deferral or a delivery', async () => {
    await recordDeliveryEvents(t.db, [
      event({ key: 'k:1', type: 'complaint', messageId: seed.messageIds[0] }),
      event({ key: 'k:2', type: 'bounce', bounceClass: 'soft', messageId: seed.messageIds[1] }),
      event({ key: 'k:3', type: 'deferred', messageId: seed.messageIds[2] }),
    ]);
    expect((await t.db.select().from(suppressions)).map((s) => [s.email, s.reason])).toEqual([['reader1@example.com', 'complaint']]);
  });

  it('unsubscribes a matched recipient from the campaign lists only, and suppresses an unmatched one', async () => {
    await recordDeliveryEvents(t.db, [
      event({ key: 'u:1', type: 'unsubscribe', messageId: seed.messageIds[0] }),
      event({ key: 'u:2', type: 'unsubscribe', recipient: 'nobody@example.net' }),
    ]);
    const memberships = await t.db.select().from(listMembers).where(eq(listMembers.subscriberId, seed.subscriberIds[0]!));
    const status = Object.fromEntries(memberships.map((m) => [m.listId, m.status]));
    expect(status).toEqual({ [seed.listIds[0]]: 'unsubscribed', [seed.listIds[1]]: 'unsubscribed', [seed.otherListId]: 'subscribed' });
    expect(await suppressionOf('reader1@example.com')).toBeUndefined();
    expect(await suppressionOf('nobody@example.net')).toMatchObject({ reason: 'unsubscribe' });
  });

  it('retires an address after soft bounces from enough distinct messages within the window', async () => {
    await updateSettings(t.db, { softBounceLimit: 3, softBounceDays: 30 });
    const soft = (key: string, messageId: number | undefined, daysAgo: number) =>
      event({ key, type: 'bounce', bounceClass: 'soft', recipient: 'reader3@example.com', ...(messageId ? { messageId } : {}), occurredAt: Date.now() - daysAgo * DAY });
    const m3 = seed.messageIds[2]!;
    // Three reports about one message, and one outside the window: not yet.
    await recordDeliveryEvents(t.db, [soft('s:1', m3, 1), soft('s:2', m3, 2), soft('s:3', m3, 3), soft('s:old', undefined, 40)]);
    expect(await suppressionOf('reader3@example.com')).toBeUndefined();
    await recordDeliveryEvents(t.db, [soft('s:4', undefined, 5)]);
    expect(await suppressionOf('reader3@example.com')).toBeUndefined();
    const result = await recordDeliveryEvents(t.db, [soft('s:5', undefined, 0)]);
    expect(result.suppressed).toBe(1);
    expect(await suppressionOf('reader3@example.com')).toMatchObject({ reason: 'soft_bounce', detail: '3 soft bounces in 30 days' });
  });

  it('follows a changed soft-bounce limit', async () => {
    await updateSettings(t.db, { softBounceLimit: 1 });
    await recordDeliveryEvents(t.db, [event({ key: 's:1', type: 'bounce', bounceClass: 'soft', recipient: 'x@example.com' })]);
    expect(await suppressionOf('x@example.com')).toMatchObject({ reason: 'soft_bounce' });
  });

  it('does not suppress again on feedback from before the marketer lifted the suppression, and does on newer feedback', async () => {
    const bounce = (key: string, occurredAt: number) => event({ key, type: 'bounce', bounceClass: 'hard', messageId: seed.messageIds[0], occurredAt });
    await recordDeliveryEvents(t.db, [bounce('h:1', Date.now() - 60_000)]);
    expect(await deleteSuppression(t.db, 'reader1@example.com')).toBe(true);
    // The relay redelivers the old bounce (unacknowledged), and reports an old one we never had.
    expect(await recordDeliveryEvents(t.db, [bounce('h:1', Date.now() - 60_000), bounce('h:2', Date.now() - 30_000)])).toEqual({ recorded: 1, suppressed: 0 });
    expect(await suppressionOf('reader1@example.com')).toBeUndefined();
    expect((await recordDeliveryEvents(t.db, [bounce('h:3', Date.now() + 1000)])).suppressed).toBe(1);
  });

  it('keeps a manual suppression as it was', async () => {
    await t.db.insert(suppressions).values({ email: 'reader1@example.com', reason: 'manual', detail: 'asked by phone' });
    await recordDeliveryEvents(t.db, [event({ key: 'c:1', type: 'complaint', messageId: seed.messageIds[0] })]);
    expect(await suppressionOf('reader1@example.com')).toMatchObject({ reason: 'manual', detail: 'asked by phone' });
  });
});
