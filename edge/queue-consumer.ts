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

/**
 * Writes one batch. On a database failure the whole batch is retried after a delay (the
 * queue moves a message to the dead-letter queue after max_retries); a message that is not
 * ours is retried on its own, so it ends in the dead-letter queue for someone to look at.
 */
export async function consumeEvents(db: Database, batch: MessageBatch<unknown>, log: (message: string) => void = console.error): Promise<void> {
  const hits: HitRow[] = [];
  const deliveries: DeliveryEvent[] = [];
  for (const message of batch.messages) {
    const body = message.body;
    if (!isEventMessage(body)) {
      log(`event queue: message ${message.id} is not a hit or a delivery event; it goes to the dead-letter queue after its retries`);
      message.retry();
    } else if (body.kind === 'hit') hits.push(body.hit);
    else deliveries.push(body.event);
  }
  try {
    await Promise.all([recordHits(db, hits), recordDeliveryEvents(db, deliveries)]);
  } catch (err) {
    const { attempts, delaySeconds } = retryLater(batch);
    log(`event queue: ${hits.length} hit(s) and ${deliveries.length} delivery event(s) not stored (attempt ${attempts}): ${describeFailure(err)}; retrying in ${delaySeconds} s`);
  }
}
