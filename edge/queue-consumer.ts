// The consumer of the Cloudflare Queue `EVENTS`: each batch (up to 100 messages, see
// wrangler.toml) becomes one batch of its delivery events and one INSERT per 1,000 of its
// hits (a message packs up to 100), written side by side. Both are idempotent on the keys
// the producers chose, so a retried or redelivered batch records nothing twice.
import type { Database } from '../shared/db/database';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { recordHits, type HitRow } from '../shared/queries/hits';
import { describeFailure } from './batch-writer';
import type { EventMessage } from './event-message';

/**
 * The most hits per database round trip: past about 1,000 a bigger batch costs no less per
 * hit (bench/event-ingest.ts), and holds the database's write lock longer.
 */
const HITS_PER_WRITE = 1_000;

/** The wait before a failed batch comes back: 5 s, doubled per attempt, at most 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(5 * 2 ** Math.max(0, attempts - 1), 600);
}

/** Sends the whole batch back to the queue, after the delay its most-tried message has earned; returns the attempt and the delay. */
export function retryLater(batch: MessageBatch<unknown>): { attempts: number; delaySeconds: number } {
  const attempts = Math.max(...batch.messages.map((m) => m.attempts));
  const delaySeconds = retryDelaySeconds(attempts);
  batch.retryAll({ delaySeconds });
  return { attempts, delaySeconds };
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null;

function isEventMessage(body: unknown): body is EventMessage {
  if (!isObject(body)) return false;
  const message = body as Partial<Record<string, unknown>>;
  return (message.kind === 'hits' && Array.isArray(message.hits) && message.hits.length > 0 && message.hits.every(isObject)) ||
    (message.kind === 'hit' && isObject(message.hit)) ||
    (message.kind === 'delivery' && isObject(message.event));
}

/** How many events a message carries. */
const eventCount = (body: EventMessage) => (body.kind === 'hits' ? body.hits.length : 1);

async function writeHits(db: Database, hits: HitRow[]): Promise<void> {
  for (let from = 0; from < hits.length; from += HITS_PER_WRITE) await recordHits(db, hits.slice(from, from + HITS_PER_WRITE));
}

/** Writes the hits and the delivery events of some messages: deliveries in one round trip, hits in as few as HITS_PER_WRITE allows, side by side. */
async function write(db: Database, bodies: EventMessage[]): Promise<void> {
  const hits: HitRow[] = [];
  const deliveries: DeliveryEvent[] = [];
  for (const body of bodies) {
    if (body.kind === 'hits') hits.push(...body.hits);
    else if (body.kind === 'hit') hits.push(body.hit);
    else deliveries.push(body.event);
  }
  await Promise.all([writeHits(db, hits), recordDeliveryEvents(db, deliveries)]);
}

/**
 * Writes one batch. A message that is not ours is retried on its own, so it ends in the
 * dead-letter queue for someone to look at. On a failed write the whole batch is retried
 * after a delay (a database outage fails every write alike); a batch that fails again is
 * written message by message (a message of hits, hit by hit), so one event the database
 * refuses cannot take the others with it to the dead-letter queue.
 */
export async function consumeEvents(db: Database, batch: MessageBatch<unknown>, log: (message: string) => void = console.error): Promise<void> {
  const ours: Message<unknown>[] = [];
  for (const message of batch.messages) {
    if (isEventMessage(message.body)) ours.push(message);
    else {
      log(`event queue: message ${message.id} is not a hit or a delivery event; it goes to the dead-letter queue after its retries`);
      message.retry();
    }
  }
  const attempts = Math.max(...batch.messages.map((m) => m.attempts));
  try {
    await write(db, ours.map((m) => m.body as EventMessage));
  } catch (err) {
    const events = ours.reduce((n, m) => n + eventCount(m.body as EventMessage), 0);
    // Failed before and again: look for the event at fault rather than retry them all.
    if (attempts > 1 && events > 1) return consumeOneByOne(db, ours, log);
    const { delaySeconds } = retryLater(batch);
    log(`event queue: ${ours.length} message(s), ${events} event(s), not stored (attempt ${attempts}): ${describeFailure(err)}; retrying in ${delaySeconds} s`);
  }
}

async function consumeOneByOne(db: Database, messages: Message<unknown>[], log: (message: string) => void): Promise<void> {
  let failed = 0;
  for (const message of messages) {
    try {
      await writeMessage(db, message.body as EventMessage);
      message.ack();
    } catch (err) {
      failed++;
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      if (failed === 1) log(`event queue: message ${message.id} not stored (attempt ${message.attempts}): ${describeFailure(err)}`);
    }
  }
  if (failed > 1) log(`event queue: ${failed} of ${messages.length} message(s) not stored one by one; they are retried`);
}

/** A database that refuses this many hits in a row, none stored, is failing, not refusing hits. */
const REFUSALS_BEFORE_GIVING_UP = 3;

/**
 * Writes one message. A message of several hits that fails whole is written hit by hit, so
 * its good hits are stored now (and found by key when the message comes back); it still
 * fails if any hit was refused.
 */
async function writeMessage(db: Database, body: EventMessage): Promise<void> {
  try {
    await write(db, [body]);
    return;
  } catch (err) {
    if (body.kind !== 'hits' || body.hits.length === 1) throw err;
  }
  let stored = 0;
  const refusals: unknown[] = [];
  for (const hit of body.hits) {
    if (stored === 0 && refusals.length === REFUSALS_BEFORE_GIVING_UP) break;
    try {
      await recordHits(db, [hit]);
      stored++;
    } catch (err) {
      refusals.push(err);
    }
  }
  if (refusals.length > 0) throw new Error(`${body.hits.length - stored} of its ${body.hits.length} hits not stored, first: ${describeFailure(refusals[0])}`);
}
