// The consumer of the Cloudflare Queue `EVENTS`: each batch (up to 100 messages of up to 100
// events, see wrangler.toml and event-message.ts) becomes one database round trip per 1,000
// of its hits and one per 1,000 of its delivery events, the two kinds written side by side.
// Both are idempotent on the keys the producers chose, so a retried or redelivered batch
// records nothing twice.
import type { Database } from '../shared/db/database';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { recordHits } from '../shared/queries/hits';
import type { HitRow } from '../shared/tracking/hit';
import { describeFailure } from './batch-writer';
import type { EventMessage } from './event-message';

/**
 * The most events per database round trip: past about 1,000 a bigger batch costs no less per
 * event (bench/event-ingest.ts), and holds the database's write lock longer.
 */
const EVENTS_PER_WRITE = 1_000;

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
const isObjects = (value: unknown) => Array.isArray(value) && value.length > 0 && value.every(isObject);

function isEventMessage(body: unknown): body is EventMessage {
  if (!isObject(body)) return false;
  const message = body as Partial<Record<string, unknown>>;
  return (message.kind === 'hits' && isObjects(message.hits)) ||
    (message.kind === 'deliveries' && isObjects(message.events)) ||
    (message.kind === 'hit' && isObject(message.hit)) ||
    (message.kind === 'delivery' && isObject(message.event));
}

/** A message's events, one message each. */
function single(body: EventMessage): EventMessage[] {
  if (body.kind === 'hits') return body.hits.map((hit) => ({ kind: 'hits', hits: [hit] }));
  if (body.kind === 'deliveries') return body.events.map((event) => ({ kind: 'deliveries', events: [event] }));
  return [body];
}

/** How many events a message carries. */
const eventCount = (body: EventMessage) => (body.kind === 'hits' ? body.hits.length : body.kind === 'deliveries' ? body.events.length : 1);

async function inChunks<T>(items: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < items.length; from += EVENTS_PER_WRITE) await write(items.slice(from, from + EVENTS_PER_WRITE));
}

/** Writes the hits and the delivery events of some messages, each kind in as few round trips as EVENTS_PER_WRITE allows, side by side. */
async function write(db: Database, bodies: EventMessage[]): Promise<void> {
  const hits: HitRow[] = [];
  const deliveries: DeliveryEvent[] = [];
  for (const body of bodies) {
    if (body.kind === 'hits') hits.push(...body.hits);
    else if (body.kind === 'deliveries') deliveries.push(...body.events);
    else if (body.kind === 'hit') hits.push(body.hit);
    else deliveries.push(body.event);
  }
  await Promise.all([inChunks(hits, (chunk) => recordHits(db, chunk)), inChunks(deliveries, (chunk) => recordDeliveryEvents(db, chunk))]);
}

/**
 * Writes one batch. A message that is not ours is retried on its own, so it ends in the
 * dead-letter queue for someone to look at. On a failed write the whole batch is retried
 * after a delay (a database outage fails every write alike); a batch that fails again is
 * written message by message (and a message that fails, event by event), so one event the
 * database refuses cannot take the others with it to the dead-letter queue.
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

/** A database that refuses this many events in a row, none stored, is failing, not refusing events. */
const REFUSALS_BEFORE_GIVING_UP = 3;

/**
 * Writes one message. A message of several events that fails whole is written event by
 * event, so its good events are stored now (and found by key when the message comes back);
 * it still fails if any event was refused.
 */
async function writeMessage(db: Database, body: EventMessage): Promise<void> {
  try {
    await write(db, [body]);
    return;
  } catch (err) {
    if (eventCount(body) === 1) throw err;
  }
  const events = single(body);
  let stored = 0;
  const refusals: unknown[] = [];
  for (const event of events) {
    if (stored === 0 && refusals.length === REFUSALS_BEFORE_GIVING_UP) break;
    try {
      await write(db, [event]);
      stored++;
    } catch (err) {
      refusals.push(err);
    }
  }
  if (refusals.length > 0) throw new Error(`${events.length - stored} of its ${events.length} events not stored, first: ${describeFailure(refusals[0])}`);
}
