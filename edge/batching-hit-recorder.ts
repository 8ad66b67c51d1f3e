// Collects tracking hits and writes them in batches: one INSERT per 100 hits (or per 50 ms
// of quiet) instead of one per request. Web-standard only: it runs on Node and in workerd.
// In a Worker a batch may hold hits from several requests of one isolate; each request's
// waitUntil holds on to its own record() promise, so the isolate lives until its batch is in.
import type { HitRow } from '../shared/queries/events';
import type { Hit, HitRecorder } from './hit-recorder';

export interface BatchingHitRecorderOptions {
  /** Hits per write; a full batch is written at once. Default 100. */
  maxBatch?: number;
  /** How long the first hit of a batch waits for company, in ms. Default 50. */
  maxDelayMs?: number;
  /** Further attempts after a failed write. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled for each next one, in ms. Default 200. */
  backoffMs?: number;
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

interface Pending {
  rows: HitRow[];
  settle: Array<() => void>;
}

function positiveInteger(name: string, value: number, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(`BatchingHitRecorderOptions.${name} must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got ${value}`);
  }
  return value;
}

/** Names the failure without echoing the query (its parameters hold URLs and user agents). */
function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return text.split('\n')[0]!.slice(0, 200);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds a recorder that hands batches of hits to `write` (usually `recordHits(db, ...)`). */
export function createBatchingHitRecorder(write: WriteHits, options: BatchingHitRecorderOptions = {}): BatchingHitRecorder {
  const maxBatch = positiveInteger('maxBatch', options.maxBatch ?? 100);
  const maxDelayMs = positiveInteger('maxDelayMs', options.maxDelayMs ?? 50, true);
  const retries = positiveInteger('retries', options.retries ?? 3, true);
  const backoffMs = positiveInteger('backoffMs', options.backoffMs ?? 200, true);
  const log = options.log ?? ((message: string) => console.error(message));

  let pending: Pending = { rows: [], settle: [] };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  // Batches are written one after another, so a slow database sees one writer from us, not a pile.
  let chain: Promise<void> = Promise.resolve();

  async function writeWithRetry(rows: HitRow[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await write(rows);
        return;
      } catch (err) {
        if (attempt >= retries) {
          log(`hit recorder: lost ${rows.length} tracking hit(s) after ${attempt + 1} attempt(s): ${describe(err)}`);
          return;
        }
        await sleep(backoffMs * 2 ** attempt);
      }
    }
  }

  function dispatch(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = { rows: [], settle: [] };
    if (batch.rows.length > 0) {
      // The chain never stays rejected (say, a throwing log), or every later batch would be skipped.
      chain = chain
        .then(() => writeWithRetry(batch.rows))
        .catch(() => {})
        .then(() => batch.settle.forEach((resolve) => resolve()));
    }
    return chain;
  }

  function record(hit: Hit): Promise<void> {
    return new Promise<void>((resolve) => {
      pending.rows.push({ ...hit, key: `hit:${crypto.randomUUID()}` });
      pending.settle.push(resolve);
      if (pending.rows.length >= maxBatch || closed) void dispatch();
      else timer ??= setTimeout(dispatch, maxDelayMs);
    });
  }

  function flush(): Promise<void> {
    return dispatch();
  }

  function close(): Promise<void> {
    closed = true;
    return dispatch();
  }

  return { record, flush, close };
}
