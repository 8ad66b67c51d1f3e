import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { events, messages } from '../../shared/db/schema';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { recordHits } from '../../shared/queries/hits';
import { createTestApp, type TestApp } from '../../test/helpers/app';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';

const T0 = Date.UTC(2026, 2, 1, 9, 0);

describe('messages and events API', () => {
  let t: TestApp;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTestApp();
    seed = await seedMessages(t.database.db, 2);
  });
  afterEach(() => t.close());

  it('shows a message with its campaign, recipient, outcome and events, newest first', async () => {
    const [id, other] = seed.messageIds as [number, number];
    await t.database.db.update(messages).set({ providerMessageId: 'pm-1', attempts: 2, lastError: null, sentAt: T0 }).where(eq(messages.id, id));
    await recordHits(t.database.db, [{ key: 'h1', kind: 'open', messageId: id, at: T0 + 3_000, method: 'GET' }]);
    await recordHits(t.database.db, [{ key: 'h2', kind: 'click', messageId: id, at: T0 + 4_000, method: 'GET', url: 'https://shop.example/sale' }]);
    // Recorded last but happened first: the page goes by when things happened.
    await recordDeliveryEvents(t.database.db, [
      { source: 'postmark', key: 'postmark:delivered:1', type: 'delivered', providerMessageId: 'pm-1', recipient: 'reader1@example.com', occurredAt: T0 + 1_000 },
      { source: 'postmark', key: 'postmark:bounce:9', type: 'bounce', bounceClass: 'soft', messageId: id, recipient: 'reader1@example.com', occurredAt: T0 + 2_000, status: '4.2.2', diagnostic: '452 mailbox full' },
      { source: 'postmark', key: 'postmark:delivered:2', type: 'delivered', messageId: other, recipient: 'reader2@example.com', occurredAt: T0 },
    ]);

    const { status, body } = await t.api('GET', `/api/messages/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id,
      campaign: { id: seed.campaignId, name: 'Spring' },
      subscriber: { id: seed.subscriberIds[0], email: 'reader1@example.com' },
      status: 'sent',
      attempts: 2,
      providerMessageId: 'pm-1',
      lastError: null,
      sentAt: new Date(T0).toISOString(),
    });
    expect(body.events.nextCursor).toBeNull();
    expect(body.events.data).toEqual([
      { id: expect.any(Number), type: 'click', bounceClass: null, source: null, status: null, diagnostic: null, url: 'https://shop.example/sale', at: new Date(T0 + 4_000).toISOString(), messageId: id, campaignId: seed.campaignId },
      expect.objectContaining({ type: 'open', source: null, at: new Date(T0 + 3_000).toISOString() }),
      expect.objectContaining({ type: 'bounce', bounceClass: 'soft', source: 'postmark', status: '4.2.2', diagnostic: '452 mailbox full' }),
      expect.objectContaining({ type: 'delivered', source: 'postmark', at: new Date(T0 + 1_000).toISOString() }),
    ]);
    expect((await t.api('GET', '/api/messages/999999')).status).toBe(404);
  });

  it('pages a message\'s events with a cursor, ties broken by id', async () => {
    const id = seed.messageIds[0]!;
    // Five opens in the same millisecond, and two earlier.
    await recordHits(t.database.db, Array.from({ length: 7 }, (_, i) => ({ key: `o${i}`, kind: 'open' as const, messageId: id, at: i < 5 ? T0 + 10 : T0 + i, method: 'GET' })));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.api('GET', `/api/messages/${id}/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((e: { id: number }) => e.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    const all = await t.database.db.select({ id: events.id, at: events.occurredAt }).from(events);
    const expected = all.sort((a, b) => b.at - a.at || b.id - a.id).map((e) => e.id);
    expect(seen).toEqual(expected);
    expect((await t.api('GET', `/api/messages/${id}/events?cursor=nonsense`)).status).toBe(400);
    expect((await t.api('GET', '/api/messages/999999/events')).status).toBe(404);
  });

  it("shows a subscriber's events across campaigns, including relay events for the address that matched no message", async () => {
    const subscriberId = seed.subscriberIds[0]!;
    await recordHits(t.database.db, [{ key: 'h1', kind: 'open', messageId: seed.messageIds[0]!, at: T0, method: 'GET' }]);
    await recordDeliveryEvents(t.database.db, [
      { source: 'bounce-inbox', key: 'bounce-inbox:x', type: 'complaint', recipient: 'reader1@example.com', occurredAt: T0 + 1_000 },
      { source: 'bounce-inbox', key: 'bounce-inbox:y', type: 'complaint', recipient: 'reader2@example.com', occurredAt: T0 + 2_000 },
    ]);
    const { status, body } = await t.api('GET', `/api/subscribers/${subscriberId}/events`);
    expect(status).toBe(200);
    expect(body.data.map((e: { type: string; messageId: number | null }) => [e.type, e.messageId])).toEqual([
      ['complaint', null],
      ['open', seed.messageIds[0]],
    ]);
    expect((await t.api('GET', '/api/subscribers/999999/events')).status).toBe(404);
    expect((await t.api('GET', `/api/subscribers/${seed.subscriberIds[1]}/events?limit=0`)).status).toBe(400);
  });
});
