// The outbox triggers of migrations/0006: every change in the catalogue queues one delivery
// per subscribed active endpoint, in the same write, through the code paths that make it.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { campaigns, messages, webhookDeliveries } from '../db/schema';
import { outgoingEventNames, type OutgoingEventName } from '../webhooks/outgoing-events';
import { claimDueCampaign, finishCampaign, pauseWithReason } from './campaign-claims';
import { transitionCampaign } from './campaigns';
import { recordDeliveryEvents } from './delivery-events';
import { unsubscribeByMessage } from './events';
import { recordHits } from './hits';
import { markMessageFinal, markMessageRetrying, markMessagesSent } from './messages';
import { createSubscriber, updateSubscriber } from './subscribers';
import { createWebhookEndpoint, updateWebhookEndpoint } from './webhook-endpoints';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('outgoing webhook triggers', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 2);
  });
  afterEach(() => t.close());

  const endpoint = (events: OutgoingEventName[], active = true) =>
    createWebhookEndpoint(t.db, { url: 'https://hooks.example.com/in', description: '', events, secret: 'sealed', active });

  /** Deliveries queued so far, oldest first, with their payloads parsed. */
  async function queued() {
    const rows = await t.db.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    return rows.map((r) => ({ endpointId: r.endpointId, event: r.event, status: r.status, body: JSON.parse(r.payload) }));
  }

  const [firstMessage, secondMessage] = [() => seed.messageIds[0]!, () => seed.messageIds[1]!];
  const subscriber = (i: number) => seed.subscriberIds[i]!;
  const emptySubscriberPatch = { attributesMode: 'merge' as const, addLists: [], removeLists: [], preconfirm: false };

  it('are all in a fully migrated database (a later migration that rebuilds a table drops its triggers)', async () => {
    const rows = await t.client.execute("select name, tbl_name from sqlite_master where type = 'trigger' and name like 'webhook_%' order by name");
    expect(rows.rows.map((r) => `${r.tbl_name}.${r.name}`)).toEqual([
      'campaigns.webhook_campaign_status',
      'events.webhook_message_feedback',
      'messages.webhook_message_outcome',
      'subscribers.webhook_subscriber_created',
      'events.webhook_subscriber_unsubscribed',
      'subscribers.webhook_subscriber_updated',
    ]);
  });

  it('queues nothing when no endpoint is active, or none asked for the event', async () => {
    await endpoint([...outgoingEventNames], false);
    await endpoint(['campaign.finished']);
    await recordDeliveryEvents(t.db, [{ key: 'ses:1', source: 'ses', type: 'bounce', bounceClass: 'hard', messageId: firstMessage(), recipient: 'reader1@example.com', occurredAt: 1 }]);
    await createSubscriber(t.db, { email: 'new@example.com', name: '', attributes: {}, status: 'active', lists: [], preconfirm: false });
    expect(await queued()).toEqual([]);
  });

  it('queues one delivery per subscribed endpoint, and a relay bounce carries its class and diagnostic', async () => {
    const a = await endpoint(['message.bounced']);
    const b = await endpoint(['message.bounced', 'message.delivered']);
    await endpoint(['message.delivered']);
    await recordDeliveryEvents(t.db, [
      {
        key: 'ses:b1',
        source: 'ses',
        type: 'bounce',
        bounceClass: 'hard',
        messageId: firstMessage(),
        recipient: 'reader1@example.com',
        occurredAt: Date.UTC(2026, 0, 2, 3, 4, 5, 67),
        status: '5.1.1',
        diagnostic: 'smtp; 550 5.1.1 user unknown',
      },
    ]);
    const rows = await queued();
    expect(rows.map((r) => [r.endpointId, r.event, r.status])).toEqual([
      [a.id, 'message.bounced', 'pending'],
      [b.id, 'message.bounced', 'pending'],
    ]);
    expect(rows[0]!.body).toEqual({
      type: 'message.bounced',
      timestamp: '2026-01-02T03:04:05.067Z',
      data: {
        messageId: firstMessage(),
        campaignId: seed.campaignId,
        campaignName: 'Spring',
        subscriberId: subscriber(0),
        // The address we sent to, as the event recorded it, not the alias the DSN named.
        email: 'reader1@example.com',
        source: 'ses',
        bounceClass: 'hard',
        status: '5.1.1',
        diagnostic: 'smtp; 550 5.1.1 user unknown',
        url: null,
        userAgent: null,
        machine: null,
      },
    });
    // A redelivered relay event is recorded once, so it is announced once.
    await recordDeliveryEvents(t.db, [{ key: 'ses:b1', source: 'ses', type: 'bounce', bounceClass: 'hard', messageId: firstMessage(), recipient: 'x@example.com', occurredAt: 1 }]);
    expect(await queued()).toHaveLength(2);
  });

  it('announces our own opens, clicks and unsubscribes, with their method', async () => {
    await endpoint(['message.opened', 'message.clicked', 'subscriber.unsubscribed']);
    await recordHits(t.db, [
      { key: 'h1', kind: 'open', messageId: firstMessage(), at: 1_700_000_000_000, method: 'GET', userAgent: 'Mail/1.0' },
      { key: 'h2', kind: 'click', messageId: secondMessage(), at: 1_700_000_000_001, method: 'GET', url: 'https://shop.example.com/sale' },
    ]);
    await unsubscribeByMessage(t.db, secondMessage(), 'one-click');
    const [open, click, unsubscribe] = await queued();
    expect(open!.body).toMatchObject({ type: 'message.opened', timestamp: '2023-11-14T22:13:20.000Z', data: { source: 'edgepost', email: 'reader1@example.com', userAgent: 'Mail/1.0', url: null } });
    expect(click!.body.data).toMatchObject({ messageId: secondMessage(), email: 'reader2@example.com', url: 'https://shop.example.com/sale' });
    expect(unsubscribe!.body).toEqual({
      type: 'subscriber.unsubscribed',
      timestamp: expect.stringMatching(ISO),
      data: {
        subscriberId: subscriber(1),
        email: 'reader2@example.com',
        messageId: secondMessage(),
        campaignId: seed.campaignId,
        campaignName: 'Spring',
        lists: [...seed.listIds].sort((x, y) => x - y),
        source: 'edgepost',
        method: 'one-click',
      },
    });
  });

  it('announces a relay unsubscribe that matches no message, with no campaign and no lists', async () => {
    await endpoint(['subscriber.unsubscribed', 'message.complained']);
    await recordDeliveryEvents(t.db, [
      { key: 'pm:u', source: 'postmark', type: 'unsubscribe', recipient: 'reader2@example.com', occurredAt: 5 },
      { key: 'pm:c', source: 'postmark', type: 'complaint', messageId: firstMessage(), recipient: 'reader1@example.com', occurredAt: 6 },
    ]);
    const [unsubscribe, complaint] = await queued();
    expect(unsubscribe!.body.data).toEqual({
      subscriberId: subscriber(1),
      email: 'reader2@example.com',
      messageId: null,
      campaignId: null,
      campaignName: null,
      lists: [],
      source: 'postmark',
      method: null,
    });
    expect(complaint!.body).toMatchObject({ type: 'message.complained', data: { messageId: firstMessage(), source: 'postmark' } });
  });

  it('names each relay event type after the message it is about', async () => {
    await endpoint(['message.delivered', 'message.deferred', 'message.dropped']);
    const relayEvent = (key: string, type: 'delivered' | 'deferred' | 'dropped') =>
      ({ key, source: 'sparkpost', type, messageId: firstMessage(), recipient: 'reader1@example.com', occurredAt: 1, status: '4.2.2' }) as const;
    await recordDeliveryEvents(t.db, [relayEvent('sp:1', 'delivered'), relayEvent('sp:2', 'deferred'), { ...relayEvent('sp:3', 'dropped'), bounceClass: 'hard' }]);
    const rows = await queued();
    expect(rows.map((r) => [r.event, r.body.type, r.body.data.status, r.body.data.bounceClass])).toEqual([
      ['message.delivered', 'message.delivered', '4.2.2', null],
      ['message.deferred', 'message.deferred', '4.2.2', null],
      ['message.dropped', 'message.dropped', '4.2.2', 'hard'],
    ]);
    expect(rows[0]!.body.timestamp).toBe('1970-01-01T00:00:00.001Z');
  });

  it('announces a message sent or failed once, not its retries', async () => {
    await endpoint(['message.sent', 'message.failed']);
    await t.db.update(messages).set({ status: 'queued', sentAt: null });
    await markMessageRetrying(t.db, firstMessage(), 1, '421 try later');
    expect(await queued()).toEqual([]);
    await markMessagesSent(t.db, [{ messageId: firstMessage(), attempts: 2, providerMessageId: '<p1@relay>', serverId: 7 }]);
    await markMessagesSent(t.db, [{ messageId: firstMessage(), attempts: 3, providerMessageId: '<again>', serverId: 7 }]);
    await markMessageFinal(t.db, secondMessage(), 'failed', 1, '550 5.7.1 rejected');
    const [sent, failed, ...rest] = await queued();
    expect(rest).toEqual([]);
    expect(sent!.body).toEqual({
      type: 'message.sent',
      timestamp: expect.stringMatching(ISO),
      data: {
        messageId: firstMessage(),
        campaignId: seed.campaignId,
        campaignName: 'Spring',
        subscriberId: subscriber(0),
        email: 'reader1@example.com',
        sendingServerId: 7,
        providerMessageId: '<p1@relay>',
        attempts: 2,
        error: null,
      },
    });
    expect(failed!.body).toMatchObject({ type: 'message.failed', data: { messageId: secondMessage(), email: 'reader2@example.com', attempts: 1, error: '550 5.7.1 rejected' } });
  });

  it('announces subscribers created, and updated only when a field the marketer sees changes', async () => {
    await endpoint(['subscriber.created', 'subscriber.updated']);
    const created = await createSubscriber(t.db, { email: 'ann@example.com', name: 'Ann', attributes: { city: 'Lyon' }, status: 'active', lists: [seed.listIds[0]], preconfirm: false });
    const id = 'id' in created ? created.id : 0;
    await updateSubscriber(t.db, id, { ...emptySubscriberPatch, addLists: [seed.listIds[1]] });
    await updateSubscriber(t.db, id, { ...emptySubscriberPatch, attributes: { city: 'Lyon' } });
    await updateSubscriber(t.db, id, { ...emptySubscriberPatch, name: 'Ann B', attributes: { plan: 'pro' } });
    const rows = await queued();
    expect(rows.map((r) => r.event)).toEqual(['subscriber.created', 'subscriber.updated']);
    expect(rows[0]!.body.data).toEqual({ subscriberId: id, email: 'ann@example.com', name: 'Ann', attributes: { city: 'Lyon' }, status: 'active' });
    expect(rows[1]!.body.data).toEqual({
      subscriberId: id,
      email: 'ann@example.com',
      name: 'Ann B',
      attributes: { city: 'Lyon', plan: 'pro' },
      status: 'active',
      changed: ['name', 'attributes'],
      previous: { email: 'ann@example.com', name: 'Ann', attributes: { city: 'Lyon' }, status: 'active' },
    });
  });

  it('follows a campaign: started once, paused, resumed, finished; a re-claimed lease is no new start', async () => {
    await endpoint(['campaign.started', 'campaign.paused', 'campaign.resumed', 'campaign.finished']);
    const id = seed.campaignId;
    await t.db.update(campaigns).set({ status: 'queued' }).where(eq(campaigns.id, id));
    await claimDueCampaign(t.db, 'sender-a', 1, []);
    await new Promise((r) => setTimeout(r, 5));
    await claimDueCampaign(t.db, 'sender-b', 60_000, []); // a's lease lapsed: same status, no event
    await transitionCampaign(t.db, id, 'pause');
    await transitionCampaign(t.db, id, 'resume');
    await claimDueCampaign(t.db, 'sender-c', 60_000, []); // the start after a resume is not a second start
    await finishCampaign(t.db, id, 'sender-c', 'sent');
    const rows = await queued();
    expect(rows.map((r) => r.event)).toEqual(['campaign.started', 'campaign.paused', 'campaign.resumed', 'campaign.finished']);
    expect(rows[3]!.body.data).toEqual({
      campaignId: id,
      name: 'Spring',
      subject: 'Hello',
      status: 'sent',
      reason: null,
      startedAt: expect.stringMatching(ISO),
      finishedAt: expect.stringMatching(ISO),
      messages: { queued: 0, sent: 2, failed: 0, skipped: 0 },
    });
  });

  it('announces a pause by Edgepost with its reason, a cancel and a failure', async () => {
    await endpoint(['campaign.paused', 'campaign.cancelled', 'campaign.failed']);
    const id = seed.campaignId;
    await t.db.update(campaigns).set({ status: 'queued' }).where(eq(campaigns.id, id));
    await pauseWithReason(t.db, id, 'the relay refused our credentials');
    await transitionCampaign(t.db, id, 'cancel');
    await t.db.update(campaigns).set({ status: 'sending', claimedBy: 's' }).where(eq(campaigns.id, id));
    await finishCampaign(t.db, id, 's', 'failed', 'no sending server');
    const rows = await queued();
    expect(rows.map((r) => [r.event, r.body.data.reason])).toEqual([
      ['campaign.paused', 'the relay refused our credentials'],
      ['campaign.cancelled', null],
      ['campaign.failed', 'no sending server'],
    ]);
  });

  it('survives a malformed events list on an endpoint without failing the write', async () => {
    const broken = await endpoint(['message.delivered']);
    await t.client.execute({ sql: 'update webhook_endpoints set events = ? where id = ?', args: ['not json', broken.id] });
    const result = await recordDeliveryEvents(t.db, [{ key: 'mg:d', source: 'mailgun', type: 'delivered', messageId: firstMessage(), recipient: 'reader1@example.com', occurredAt: 1 }]);
    expect(result.recorded).toBe(1);
    expect(await queued()).toEqual([]);
    await updateWebhookEndpoint(t.db, broken.id, { events: ['message.delivered'] });
    await recordDeliveryEvents(t.db, [{ key: 'mg:e', source: 'mailgun', type: 'delivered', messageId: firstMessage(), recipient: 'reader1@example.com', occurredAt: 2 }]);
    expect((await queued()).map((r) => r.event)).toEqual(['message.delivered']);
  });
});
