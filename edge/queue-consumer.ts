// The consumer of the Cloudflare Queue `EVENTS`: each batch (up to 100 messages, see
// wrangler.toml) becomes at most two database round trips, one INSERT of its hits and one
// batch of its delivery events, written side by side. Both are idempotent on the keys the
// producers chose, so a retried or redelivered batch records nothing twice.
import type { Database } from '../shared/db/database';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { recordHits, type HitRow } from '../shared/queries/hits';
import { describeFailure } from './batch-writer';
import type { EventMessage } from './event-message';

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

function isEventMessage(body: unknown): body is EventMessage {
  if (typeof body !== 'object' || body === null) return false;
  const message = body as Partial<Record<string, unknown>>;
  return (message.kind === 'hit' && typeof message.hit === 'object' && message.hit !== null) ||
    (message.kind === 'delivery' && typeof message.event === 'object' && message.event !== null);
}

/** Writes the hits and the delivery events of some messages: at most two round trips, side by side. */
async function write(db: Database, bodies: EventMessage[]): Promise<void> {
  const hits: HitRow[] = [];
  const deliveries: DeliveryEvent[] = [];
  for (const body of bodies) {
    if (body.kind === 'hit') hits.push(body.hit);
    else deliveries.push(body.event);
  }
  await Promise.all([recordHits(db, hits), recordDeliveryEvents(db, deliveries)]);
}

/**
 * Writes one batch. A message that is not ours is retried on its own, so it ends in the
 * dead-letter queue for someone to look at. On a failed write the whole batch is retried
 * after a delay (a database outage fails every write alike); a batch that fails again is
 * written message by message, so one message the database refuses cannot take the others
 * with it to the dead-letter queue.
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
    // Failed before and again: look for the message at fault rather than retry them all.
    if (attempts > 1 && ours.length > 1) return consumeOneByOne(db, ours, log);
    const { delaySeconds } = retryLater(batch);
    log(`event queue: ${ours.length} message(s) not stored (attempt ${attempts}): ${describeFailure(err)}; retrying in ${delaySeconds} s`);
  }
}

async function consumeOneByOne(db: Database, messages: Message<unknown>[], log: (message: string) => void): Promise<void> {
  let failed = 0;
  for (const message of messages) {
    try {
      await write(db, [message.body as EventMessage]);
      message.ack();
    } catch (err) {
      failed++;
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      if (failed === 1) log(`event queue: message ${message.id} not stored (attempt ${message.attempts}): ${describeFailure(err)}`);
    }
  }
  if (failed > 1) log(`event queue: ${failed} of ${messages.length} message(s) not stored one by one; they are retried`);
}
