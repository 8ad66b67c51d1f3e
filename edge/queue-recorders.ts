// The Worker's recorders: producers on the Cloudflare Queue `EVENTS`, whose consumer
// (edge/queue-consumer.ts) writes batches to libSQL. A request only waits for the queue to
// take the message (durable once send resolves), never for the database, and a database
// that is slow or down only delays the consumer: the queue keeps the messages and retries.
import { describeFailure } from './batch-writer';
import type { HitRow } from '../shared/tracking/hit';
import { deliveryMessages, hitMessages, MAX_EVENTS_PER_MESSAGE, sendBatches, sizedDelivery, sizedHit, type EventMessage, type Sized } from './event-message';
import type { FeedbackRecorder } from './feedback-recorder';
import type { HitRecorder } from './hit-recorder';

type Log = (message: string) => void;
const consoleLog: Log = (message) => console.error(message);

/** How the isolate gathers hits before putting them on the queue. */
export interface QueueHitRecorderOptions {
  /** How long the first hit of a batch waits for company before the sendBatch, in ms. Default 10. */
  maxDelayMs?: number;
  /** Further sendBatch attempts after a failed one. Default 2. */
  retries?: number;
  /** Where lost hits are reported. Default console.error. */
  log?: Log;
}

interface PendingBatch {
  hits: Sized<HitRow>[];
  /** Set by whoever sends it: the request that started it, or the one that filled it. */
  taken: boolean;
}

/**
 * Hits are gathered across the isolate's concurrent requests and go on the queue packed into
 * messages of up to 100 (edge/event-message.ts): one queue operation for many hits, which
 * under load is most of what a hit costs the Worker. The request that starts a batch sends it
 * after `maxDelayMs`, inside its own waitUntil (or the request that fills a message sends it
 * at once, inside its own): workerd cancels a request's continuations when they wait on a
 * promise another request resolves, so no request ever waits on another's. A refused hit is
 * logged, never thrown.
 */
export function createQueueHitRecorder(queue: Queue<EventMessage>, options: QueueHitRecorderOptions = {}): HitRecorder {
  const { maxDelayMs = 10, retries = 2, log = consoleLog } = options;
  let pending: PendingBatch | null = null;

  async function send(batch: PendingBatch): Promise<void> {
    batch.taken = true;
    if (pending === batch) pending = null;
    // Each hit's key was fixed by sizedHit, so a retried sendBatch records each hit once.
    const parts = sendBatches(hitMessages(batch.hits));
    for (let attempt = 0; ; attempt++) {
      try {
        await Promise.all(parts.map((part) => queue.sendBatch(part.map(({ body }) => ({ body, contentType: 'json' as const })))));
        return;
      } catch (err) {
        if (attempt >= retries) {
          log(`hit recorder: lost ${batch.hits.length} tracking hit(s), the event queue did not take them after ${attempt + 1} attempt(s): ${describeFailure(err)}`);
          return;
        }
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  async function startBatch(hit: Sized<HitRow>): Promise<void> {
    const batch: PendingBatch = { hits: [hit], taken: false };
    pending = batch;
    await sleep(maxDelayMs);
    if (!batch.taken) await send(batch);
  }

  return {
    async record(hit) {
      let sized: Sized<HitRow>;
      try {
        sized = sizedHit(hit);
      } catch (err) {
        log(`hit recorder: lost 1 tracking hit: ${describeFailure(err)}`);
        return;
      }
      const joined = pending;
      if (!joined) return startBatch(sized);
      joined.hits.push(sized);
      if (joined.hits.length >= MAX_EVENTS_PER_MESSAGE) await send(joined);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A webhook's events go on the queue packed, in as few messages and sendBatch calls as the
 * limits allow. Resolves once the queue holds all of them; rejects otherwise, and the route
 * answers 503 so the relay redelivers (events already queued are then recorded once, by key).
 */
export function createQueueFeedbackRecorder(queue: Queue<EventMessage>, log: Log = consoleLog): FeedbackRecorder {
  return {
    async record(events) {
      try {
        const batches = sendBatches(deliveryMessages(events.map(sizedDelivery)));
        await Promise.all(batches.map((batch) => queue.sendBatch(batch.map(({ body }) => ({ body, contentType: 'json' as const })))));
      } catch (err) {
        log(`feedback recorder: ${events.length} delivery event(s) not queued: ${describeFailure(err)}; the relay was answered 503 and will redeliver`);
        throw err;
      }
    },
  };
}
