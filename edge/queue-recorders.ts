// The Worker's recorders: producers on the Cloudflare Queue `EVENTS`, whose consumer
// (edge/queue-consumer.ts) writes batches to libSQL. A request only waits for the queue to
// take the message (durable once send resolves), never for the database, and a database
// that is slow or down only delays the consumer: the queue keeps the messages and retries.
import { describeFailure } from './batch-writer';
import { deliveryMessage, hitMessage, sendBatches, type EventMessage } from './event-message';
import type { FeedbackRecorder } from './feedback-recorder';
import type { HitRecorder } from './hit-recorder';

type Log = (message: string) => void;
const consoleLog: Log = (message) => console.error(message);

/** Hits go on the queue one message each, inside the request's waitUntil; a refused hit is logged, never thrown. */
export function createQueueHitRecorder(queue: Queue<EventMessage>, log: Log = consoleLog): HitRecorder {
  return {
    async record(hit) {
      try {
        await queue.send(hitMessage(hit).body, { contentType: 'json' });
      } catch (err) {
        log(`hit recorder: lost 1 tracking hit, the event queue did not take it: ${describeFailure(err)}`);
      }
    },
  };
}

/**
 * A webhook's events go on the queue one message each, in as few sendBatch calls as the
 * limits allow. Resolves once the queue holds all of them; rejects otherwise, and the route
 * answers 503 so the relay redelivers (events already queued are then recorded once, by key).
 */
export function createQueueFeedbackRecorder(queue: Queue<EventMessage>, log: Log = consoleLog): FeedbackRecorder {
  return {
    async record(events) {
      try {
        const batches = sendBatches(events.map(deliveryMessage));
        await Promise.all(batches.map((batch) => queue.sendBatch(batch.map(({ body }) => ({ body, contentType: 'json' as const })))));
      } catch (err) {
        log(`feedback recorder: ${events.length} delivery event(s) not queued: ${describeFailure(err)}; the relay was answered 503 and will redeliver`);
        throw err;
      }
    },
  };
}
