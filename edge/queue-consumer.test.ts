// The consumer on a real database, given batches shaped as the queue delivers them; the
// real queue (wrangler's local runtime) is in test/workerd.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../node/open-database';
import { events } from '../shared/db/schema';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { seedMessages, type SeededMessages } from '../test/helpers/tracking-seed';
import type { Hit } from '../shared/tracking/hit';
import { deliveryMessages, hitMessages, sizedDelivery, sizedHit, type EventMessage } from './event-message';
import { consumeEvents, retryDelaySeconds } from './queue-consumer';

interface Outcome {
  retriedAll?: { delaySeconds?: number };
  retried: string[];
  acked: string[];
}

/** A batch as the queue hands it to queue(), recording what the consumer asked of it. */
function batchOf(bodies: unknown[], attempts = 1): { batch: MessageBatch<unknown>; outcome: Outcome } {
  const outcome: Outcome = { retried: [], acked: [] };
  const messages = bodies.map((body, i) => ({
    id: `m${i}`,
    timestamp: new Date(),
    body,
    attempts,
    retry: () => void outcome.retried.push(`m${i}`),
    ack: () => void outcome.acked.push(`m${i}`),
  }));
  const batch: MessageBatch<unknown> = {
    queue: 'edgepost-events',
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    retryAll: (options) => void (outcome.retriedAll = options ?? {}),
    ackAll: () => {},
  };
  return { batch, outcome };
}

/** One queue message packing these hits, as the Worker's recorder sends it. */
function hitsMessage(...hits: Hit[]): EventMessage {
  const [message, ...more] = hitMessages(hits.map(sizedHit));
  if (!message || more.length > 0) throw new Error('expected one message');
  return message.body;
}

/** One queue message packing these delivery events, as the Worker's feedback recorder sends it. */
function deliveriesMessage(...events: DeliveryEvent[]): EventMessage {
  const [message, ...more] = deliveryMessages(events.map(sizedDelivery));
  if (!message || more.length > 0) throw new Error('expected one message');
  return message.body;
}

const open = (messageId: number, at = 1): Hit => ({ kind: 'open', messageId, at, method: 'GET' });

let database: TestDatabase;
let seed: SeededMessages;

beforeEach(async () => {
  database = await createTestDatabase();
  seed = await seedMessages(database.db, 3);
});
afterEach(() => database.close());

const bounce = (messageId: number): DeliveryEvent => ({
  source: 'postmark',
  key: `postmark:bounce:${messageId}`,
  type: 'bounce',
  bounceClass: 'hard',
  messageId,
  recipient: 'x@example.com',
  occurredAt: Date.now(),
});

describe('event queue consumer', () => {
  it('writes the hits and the delivery events of a batch, and a redelivered batch records nothing twice', async () => {
    const [m1, m2, m3] = seed.messageIds as [number, number, number];
    const bodies = [
      hitsMessage({ kind: 'open', messageId: m1, at: 1, method: 'GET', userAgent: 'Mail' }, { kind: 'click', messageId: m2, url: 'https://shop.example/a', at: 2, method: 'GET' }),
      deliveriesMessage(bounce(m3)),
    ];
    const logs: string[] = [];
    const first = batchOf(bodies);
    await consumeEvents(database.db, first.batch, (m) => logs.push(m));
    expect(first.outcome).toEqual({ retried: [], acked: [] });
    expect(logs).toEqual([]);
    const rows = await database.db.select().from(events).orderBy(events.messageId);
    expect(rows.map((r) => [r.messageId, r.type])).toEqual([
      [m1, 'open'],
      [m2, 'click'],
      [m3, 'bounce'],
    ]);

    const again = batchOf(bodies, 2);
    await consumeEvents(database.db, again.batch, (m) => logs.push(m));
    expect(await database.db.$count(events)).toBe(3);
  });

  it('retries the whole batch after a delay when the database fails, saying how much and never what', async () => {
    const broken = await openDatabase(database.url);
    broken.client.close();
    const { batch, outcome } = batchOf([hitsMessage(open(seed.messageIds[0]!), open(seed.messageIds[2]!)), deliveriesMessage(bounce(seed.messageIds[1]!))]);
    const logs: string[] = [];
    await consumeEvents(broken.db, batch, (m) => logs.push(m));
    expect(outcome.retriedAll).toEqual({ delaySeconds: 5 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^event queue: 2 message\(s\), 3 event\(s\), not stored \(attempt 1\): .*closed.*; retrying in 5 s$/i);
    expect(logs[0]).not.toContain('x@example.com');
    expect(await database.db.$count(events)).toBe(0);
  });

  it('writes a batch that fails again message by message, so one the database refuses does not hold back the rest', async () => {
    const good = hitsMessage(open(seed.messageIds[0]!));
    // A delivery event without a recipient (say, from an older Worker): the INSERT refuses it.
    const poison = { kind: 'delivery', event: { ...bounce(seed.messageIds[1]!), key: 'postmark:poison', recipient: undefined, occurredAt: undefined } };
    const alsoGood = deliveriesMessage(bounce(seed.messageIds[2]!));
    const { batch, outcome } = batchOf([good, poison, alsoGood], 2);
    const logs: string[] = [];
    await consumeEvents(database.db, batch, (m) => logs.push(m));
    expect(outcome).toEqual({ retried: ['m1'], acked: ['m0', 'm2'] });
    expect(logs).toEqual([expect.stringMatching(/^event queue: message m1 not stored \(attempt 2\)/)]);
    expect(await database.db.$count(events)).toBe(2);
  });

  it('retries a message that is not ours on its own, so it ends in the dead-letter queue, and writes the rest', async () => {
    const good = hitsMessage(open(seed.messageIds[0]!));
    const { batch, outcome } = batchOf([good, { kind: 'hit' }, 'plain text', null, { kind: 'hits', hits: [] }, { kind: 'hits', hits: [open(1), 'x'] }]);
    const logs: string[] = [];
    await consumeEvents(database.db, batch, (m) => logs.push(m));
    expect(outcome).toEqual({ retried: ['m1', 'm2', 'm3', 'm4', 'm5'], acked: [] });
    expect(logs).toHaveLength(5);
    expect(logs[0]).toMatch(/message m1 is not a hit or a delivery event/);
    expect(await database.db.$count(events)).toBe(1);
  });

  it('stores the good hits of a message that also holds one the database refuses, and retries that message', async () => {
    const [m1, m2, m3] = seed.messageIds as [number, number, number];
    // A hit without its time (say, from an older Worker): the INSERT refuses it, and so the whole message.
    const packed = hitsMessage(open(m1), open(m2), open(m3));
    if (packed.kind !== 'hits') throw new Error('not hits');
    delete (packed.hits[1] as Partial<Hit>).at;
    const alsoGood = hitsMessage(open(m3, 2));
    const { batch, outcome } = batchOf([packed, alsoGood], 2);
    const logs: string[] = [];
    await consumeEvents(database.db, batch, (m) => logs.push(m));
    expect(outcome).toEqual({ retried: ['m0'], acked: ['m1'] });
    expect(logs).toEqual([expect.stringMatching(/^event queue: message m0 not stored \(attempt 2\): Error: 1 of its 3 events not stored, first: .*NOT NULL/)]);
    const rows = await database.db.select().from(events).orderBy(events.id);
    expect(rows.map((r) => r.messageId).sort()).toEqual([m1, m3, m3].sort());

    // Back from its retry, the message adds nothing twice: its good hits are found by key.
    const again = batchOf([packed], 3);
    await consumeEvents(database.db, again.batch, () => {});
    expect(await database.db.$count(events)).toBe(3);

    // The same for a webhook's delivery events.
    const deliveries = deliveriesMessage(bounce(m1), { ...bounce(m2), key: 'postmark:no-time' });
    if (deliveries.kind !== 'deliveries') throw new Error('not deliveries');
    delete (deliveries.events[1] as Partial<DeliveryEvent>).occurredAt;
    const mixed = batchOf([deliveries, hitsMessage(open(m2, 3))], 2);
    await consumeEvents(database.db, mixed.batch, (m) => logs.push(m));
    expect(mixed.outcome).toEqual({ retried: ['m0'], acked: ['m1'] });
    expect(logs.at(-1)).toMatch(/^event queue: message m0 not stored \(attempt 2\): Error: 1 of its 2 events not stored/);
    expect(await database.db.$count(events)).toBe(5);
  });

  it('still reads a message of one hit, as Workers sent them before hits were packed', async () => {
    const hit = { ...open(seed.messageIds[0]!), key: 'hit:0190a8f0-0000-7000-8000-000000000001' };
    const { batch, outcome } = batchOf([{ kind: 'hit', hit }]);
    await consumeEvents(database.db, batch, () => {});
    expect(outcome).toEqual({ retried: [], acked: [] });
    expect(await database.db.select({ key: events.key, messageId: events.messageId }).from(events)).toEqual([{ key: hit.key, messageId: seed.messageIds[0] }]);
  });

  it('writes a batch of more hits than one round trip takes, each once', async () => {
    const messages = Array.from({ length: 12 }, (_, m) => hitsMessage(...Array.from({ length: 100 }, (_, i) => open(seed.messageIds[i % 3]!, m * 100 + i))));
    const { batch, outcome } = batchOf(messages);
    await consumeEvents(database.db, batch, () => {});
    expect(outcome).toEqual({ retried: [], acked: [] });
    expect(await database.db.$count(events)).toBe(1200);
    await consumeEvents(database.db, batchOf(messages, 2).batch, () => {});
    expect(await database.db.$count(events)).toBe(1200);
  });

  it('waits longer after each failed attempt, up to ten minutes', () => {
    expect([1, 2, 3, 4, 8, 9, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 40, 600, 600, 600]);
  });
});
