// The Node host's FeedbackRecorder: every webhook request's events join one group commit
// (edge/batch-writer.ts), so a burst of single-event webhooks costs one database round trip
// per batch, not per request. A request is answered only once its batch is written; a lost
// batch rejects every request in it, and the route answers 503 so each relay redelivers
// (recording is idempotent on the event key, so nothing is counted twice).
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { createBatchWriter, type BatchWriterHooks, type BatchWriterOptions } from './batch-writer';
import type { FeedbackRecorder } from './feedback-recorder';

/** As the batch writer's options, but `maxDelayMs` defaults to 100 here. */
export interface BatchingFeedbackRecorderOptions extends BatchWriterOptions {
  /** Where lost batches are reported. Default console.error. */
  log?: (message: string) => void;
  /** Called after each batch is written, with its size and the attempts it took. */
  onWritten?: BatchWriterHooks<DeliveryEvent>['onWritten'];
}

export interface BatchingFeedbackRecorder extends FeedbackRecorder {
  /** Writes whatever is waiting now; resolves when every batch so far is written or given up. */
  flush(): Promise<void>;
  /** Flushes for a graceful shutdown; events recorded after it are written without waiting. */
  close(): Promise<void>;
}

/** Builds a recorder that hands batches of events to `write` (usually `recordDeliveryEvents(db, ...)`). */
export function createBatchingFeedbackRecorder(
  write: (events: DeliveryEvent[]) => Promise<unknown>,
  options: BatchingFeedbackRecorderOptions = {},
): BatchingFeedbackRecorder {
  const { log = (message: string) => console.error(message), onWritten, ...batching } = options;
  // A relay waits seconds for its answer without minding, so a batch waits longer for
  // company than a hit's does: fewer, fuller writes when webhooks arrive in a burst.
  const writer = createBatchWriter(write, { ...batching, maxDelayMs: batching.maxDelayMs ?? 100 }, {
    optionsName: 'BatchingFeedbackRecorderOptions',
    onWritten,
    onLost: (_events, lost) =>
      log(`feedback recorder: ${lost.count} delivery event(s) not stored after ${lost.attempts} attempt(s): ${lost.reason}; their relays were answered 503 and will redeliver`),
  });
  return { record: writer.add, flush: writer.flush, close: writer.close };
}
