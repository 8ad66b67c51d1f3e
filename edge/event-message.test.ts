import { describe, expect, it } from 'vitest';
import { events } from '../shared/db/schema';
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../shared/feedback/delivery-event';
import { MAX_USER_AGENT } from '../shared/queries/hits';
import { createTestDatabase } from '../test/helpers/database';
import { seedMessages } from '../test/helpers/tracking-seed';
import { deliveryMessage, hitMessage, MAX_MESSAGE_BYTES, MAX_SEND_BATCH_BYTES, sendBatches } from './event-message';
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

describe('event queue messages', () => {
  it('gives each hit its own key, fixed in the message, and cuts the user agent where the database would', () => {
    const hit = { kind: 'click' as const, messageId: 7, url: 'https://shop.example/a', at: 5, method: 'HEAD', userAgent: 'A'.repeat(5000) };
    const a = hitMessage(hit);
    const b = hitMessage(hit);
    expect(a.body).toMatchObject({ kind: 'hit', hit: { messageId: 7, url: 'https://shop.example/a', method: 'HEAD' } });
    if (a.body.kind !== 'hit' || b.body.kind !== 'hit') throw new Error('not hits');
    expect(a.body.hit.key).toMatch(/^hit:[0-9a-f-]{36}$/);
    expect(a.body.hit.key).not.toBe(b.body.hit.key);
    expect(a.body.hit.userAgent).toHaveLength(MAX_USER_AGENT);
    expect(a.bytes).toBe(new TextEncoder().encode(JSON.stringify(a.body)).length);
  });

  it('keeps a delivery event whole but for over-long free text, and leaves the caller’s event alone', () => {
    const original = event({ diagnostic: 'x'.repeat(3000), userAgent: 'u'.repeat(900), detail: { bounceType: 'Transient' } });
    const { body } = deliveryMessage(original);
    expect(body).toEqual({ kind: 'delivery', event: { ...original, diagnostic: 'x'.repeat(MAX_DIAGNOSTIC), userAgent: 'u'.repeat(MAX_USER_AGENT) } });
    expect(original.diagnostic).toHaveLength(3000);
  });

  it('refuses a message over the size limit, saying why without its content', () => {
    expect(() => deliveryMessage(event({ url: `https://shop.example/${'é'.repeat(MAX_MESSAGE_BYTES)}` }))).toThrow(
      /^A sendgrid delivery event is \d+ bytes as a queue message, over the 65536-byte limit/,
    );
  });

  it('splits messages into sendBatch calls of at most 100 messages and the byte budget, in order', () => {
    const small = Array.from({ length: 250 }, (_, i) => deliveryMessage(event({ key: `sendgrid:${i}` })));
    expect(sendBatches(small).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(sendBatches(small).flat()).toEqual(small);

    const big = Array.from({ length: 7 }, (_, i) => deliveryMessage(event({ key: `sendgrid:big-${i}`, url: `https://shop.example/${'a'.repeat(60_000)}` })));
    const batches = sendBatches(big);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    for (const batch of batches) expect(batch.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(MAX_SEND_BATCH_BYTES);
    expect(sendBatches([])).toEqual([]);
  });

  it('carries an anonymous hit (campaign, no message) through the queue, and the consumer stores it without a message or subscriber', async () => {
    const database = await createTestDatabase();
    try {
      const { campaignId } = await seedMessages(database.db, 1);
      const { body } = hitMessage({ kind: 'click', campaignId, url: 'https://shop.example/a', at: 5, method: 'GET', machine: false, reason: 'human' });
      expect(body).toMatchObject({ kind: 'hit', hit: { campaignId, url: 'https://shop.example/a' } });
      expect(body.kind === 'hit' && 'messageId' in body.hit).toBe(false);
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
