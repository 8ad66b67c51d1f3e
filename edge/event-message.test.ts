import { describe, expect, it } from 'vitest';
import { events } from '../shared/db/schema';
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../shared/feedback/delivery-event';
import { MAX_USER_AGENT } from '../shared/tracking/hit';
import { createTestDatabase } from '../test/helpers/database';
import { seedMessages } from '../test/helpers/tracking-seed';
import { deliveryMessages, hitMessages, MAX_EVENTS_PER_MESSAGE, MAX_MESSAGE_BYTES, MAX_SEND_BATCH_BYTES, sendBatches, sizedDelivery, sizedHit, type SizedMessage } from './event-message';
import { consumeEvents } from './queue-consumer';

const event = (over: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  source: 'sendgrid',
  key: 'sendgrid:evt-1',
  type: 'bounce',
  bounceClass: 'soft',
  recipient: 'ann@example.com',
  occurredAt: 1,
  ...over,
});

/** A message of one delivery event. */
const messageOf = (e: DeliveryEvent) => deliveryMessages([sizedDelivery(e)])[0]!;

describe('event queue messages', () => {
  it('gives each hit its own key, fixed in the message, and cuts the user agent where the database would', () => {
    const hit = { kind: 'click' as const, messageId: 7, url: 'https://shop.example/a', at: 5, method: 'HEAD', userAgent: 'A'.repeat(5000) };
    const a = sizedHit(hit);
    const b = sizedHit(hit);
    expect(a.item).toMatchObject({ messageId: 7, url: 'https://shop.example/a', method: 'HEAD' });
    expect(a.item.key).toMatch(/^hit:[0-9a-f-]{36}$/);
    expect(a.item.key).not.toBe(b.item.key);
    expect(a.item.userAgent).toHaveLength(MAX_USER_AGENT);
    expect(hit.userAgent).toHaveLength(5000);
    const [message] = hitMessages([a, b]);
    expect(message!.body).toEqual({ kind: 'hits', hits: [a.item, b.item] });
    expect(message!.bytes).toBe(new TextEncoder().encode(JSON.stringify(message!.body)).length);
  });

  it('packs hits into messages of at most 100 and the size limit, in order, each size exact', () => {
    const hit = (i: number, url = 'https://shop.example/a') => sizedHit({ kind: 'click', messageId: i, url, at: i, method: 'GET' });
    const small = Array.from({ length: 250 }, (_, i) => hit(i));
    const packed = hitMessages(small);
    expect(packed.map((m) => (m.body.kind === 'hits' ? m.body.hits.length : 0))).toEqual([MAX_EVENTS_PER_MESSAGE, MAX_EVENTS_PER_MESSAGE, 50]);
    expect(packed.flatMap((m) => (m.body.kind === 'hits' ? m.body.hits : []))).toEqual(small.map((h) => h.item));

    // Hits of ~20 KB each (a long URL): three fit under 64 KB, the fourth opens a new message.
    const big = Array.from({ length: 7 }, (_, i) => hit(i, `https://shop.example/${'é'.repeat(10_000)}`));
    const bigPacked = hitMessages(big);
    expect(bigPacked.map((m) => (m.body.kind === 'hits' ? m.body.hits.length : 0))).toEqual([3, 3, 1]);
    for (const message of [...packed, ...bigPacked]) {
      expect(message.bytes).toBe(new TextEncoder().encode(JSON.stringify(message.body)).length);
      expect(message.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
    expect(hitMessages([])).toEqual([]);
  });

  it('keeps a delivery event whole but for over-long free text, and leaves the caller’s event alone', () => {
    const original = event({ diagnostic: 'x'.repeat(3000), userAgent: 'u'.repeat(900), detail: { bounceType: 'Transient' } });
    const { item } = sizedDelivery(original);
    expect(item).toEqual({ ...original, diagnostic: 'x'.repeat(MAX_DIAGNOSTIC), userAgent: 'u'.repeat(MAX_USER_AGENT) });
    expect(original.diagnostic).toHaveLength(3000);
    // Packed as hits are: up to 100 a message, in order.
    const many = Array.from({ length: 150 }, (_, i) => sizedDelivery(event({ key: `sendgrid:${i}` })));
    const packed = deliveryMessages(many);
    expect(packed.map((m) => (m.body.kind === 'deliveries' ? m.body.events.map((e) => e.key) : []))).toEqual([
      many.slice(0, 100).map((e) => e.item.key),
      many.slice(100).map((e) => e.item.key),
    ]);
    for (const message of packed) expect(message.bytes).toBe(new TextEncoder().encode(JSON.stringify(message.body)).length);
  });

  it('refuses a message over the size limit, saying why without its content', () => {
    expect(() => sizedDelivery(event({ url: `https://shop.example/${'é'.repeat(MAX_MESSAGE_BYTES)}` }))).toThrow(
      /^A sendgrid delivery event is \d+ bytes as a queue message, over the 65536-byte limit \(its URL or details are too long\)$/,
    );
    expect(() => sizedHit({ kind: 'click', messageId: 1, url: `https://shop.example/${'é'.repeat(MAX_MESSAGE_BYTES / 2)}`, at: 1, method: 'GET' })).toThrow(
      /^A tracking hit is \d+ bytes as a queue message, over the 65536-byte limit \(its URL or details are too long\)$/,
    );
  });

  it('splits messages into sendBatch calls of at most 100 messages and the byte budget, in order', () => {
    const small = Array.from({ length: 250 }, (_, i) => messageOf(event({ key: `sendgrid:${i}` })));
    expect(sendBatches(small).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(sendBatches(small).flat()).toEqual(small);

    const big = Array.from({ length: 7 }, (_, i) => messageOf(event({ key: `sendgrid:big-${i}`, url: `https://shop.example/${'a'.repeat(60_000)}` })));
    const batches = sendBatches(big);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    for (const batch of batches) expect(batch.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(MAX_SEND_BATCH_BYTES);
    expect(sendBatches([])).toEqual([]);
  });

  it('carries an anonymous hit (campaign, no message) through the queue, and the consumer stores it without a message or subscriber', async () => {
    const database = await createTestDatabase();
    try {
      const { campaignId } = await seedMessages(database.db, 1);
      const [{ body }] = hitMessages([sizedHit({ kind: 'click', campaignId, url: 'https://shop.example/a', at: 5, method: 'GET', machine: false, reason: 'human' })]) as [SizedMessage];
      expect(body).toMatchObject({ kind: 'hits', hits: [{ campaignId, url: 'https://shop.example/a' }] });
      expect(body.kind === 'hits' && 'messageId' in body.hits[0]!).toBe(false);
      const wire = JSON.parse(JSON.stringify(body)) as unknown;
      const retried: string[] = [];
      const message = { id: 'm0', timestamp: new Date(), body: wire, attempts: 1, retry: () => void retried.push('m0'), ack: () => {} };
      await consumeEvents(database.db, {
        queue: 'edgepost-events',
        messages: [message],
        metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
        retryAll: () => void retried.push('all'),
        ackAll: () => {},
      });
      expect(retried).toEqual([]);
      expect(await database.db.select().from(events)).toMatchObject([{ type: 'click', campaignId, messageId: null, subscriberId: null, url: 'https://shop.example/a', machine: false }]);
    } finally {
      database.close();
    }
  });
});
