// Collects tracking hits and writes them in batches (edge/batch-writer.ts): one INSERT per
// 100 hits (or per 50 ms of quiet) instead of one per request. The Node host's recorder; on
// Workers hits go through a Cloudflare Queue instead (edge/queue-recorders.ts). A lost batch
// is logged, never thrown: the pixel and the redirect have long been answered.
import type { HitRow } from '../shared/tracking/hit';
import { createBatchWriter, type BatchWriterOptions } from './batch-writer';
import { newHitKey } from './hit-key';
import type { Hit, HitRecorder } from './hit-recorder';

export interface BatchingHitRecorderOptions extends BatchWriterOptions {
  /** Where lost batches are reported. Default console.error. */
  log?: (message: string) => void;
}

export interface BatchingHitRecorder extends HitRecorder {
  /** Writes whatever is waiting now; resolves when every batch so far is written or given up. */
  flush(): Promise<void>;
  /** Flushes for a graceful shutdown; hits recorded after it are written without waiting. */
  close(): Promise<void>;
}

/** Writes one batch; `hits[].key` is fixed before the first attempt, so a retry cannot double-record. */
export type WriteHits = (hits: HitRow[]) => Promise<unknown>;

/** Builds a recorder that hands batches of hits to `write` (usually `recordHits(db, ...)`). */
export function createBatchingHitRecorder(write: WriteHits, options: BatchingHitRecorderOptions = {}): BatchingHitRecorder {
  const { log = (message: string) => console.error(message), ...batching } = options;
  const writer = createBatchWriter(write, batching, {
    optionsName: 'BatchingHitRecorderOptions',
    onLost: (_rows, lost) => log(`hit recorder: lost ${lost.count} tracking hit(s) after ${lost.attempts} attempt(s): ${lost.reason}`),
  });

  function record(hit: Hit): Promise<void> {
    // Already logged once for the whole batch by onLost.
    return writer.add([{ ...hit, key: newHitKey() }]).catch(() => {});
  }

  return { record, flush: writer.flush, close: writer.close };
}
