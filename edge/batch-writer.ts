// Group commit: items handed to `add` by many requests are written together, one write per
// batch instead of one per request, and batches are written one after another, so a slow
// database sees one writer from us, not a pile. While a batch is being written the next one
// fills up, so under load every write is a full batch. Web-standard only (Node and workerd).

export interface BatchWriterOptions {
  /** Most items per write; a full batch is written as soon as the writer is free. Default 100. */
  maxBatch?: number;
  /** How long a batch that is not full waits for company, in ms, from its first item or the end of the last write, whichever is later. Default 50. */
  maxDelayMs?: number;
  /** Further attempts after a failed write. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled for each next one, in ms. Default 200. */
  backoffMs?: number;
}

export interface BatchWriterHooks<T> {
  /** Called once per batch given up on, before its `add` calls reject (a throwing hook is ignored). */
  onLost?(items: readonly T[], error: BatchLostError): void;
  /** Called after each batch is written, with its size and the attempts it took (metrics, benches). */
  onWritten?(size: number, attempts: number): void;
  /** Names the options in their error messages (the caller's own options type). Default `BatchWriterOptions`. */
  optionsName?: string;
}

export interface BatchWriter<T> {
  /**
   * Queues items to be written together (never split across writes). Resolves once their
   * batch is written; rejects with a BatchLostError once it has been given up.
   */
  add(items: readonly T[]): Promise<void>;
  /** Writes whatever is waiting now; resolves when every batch so far is written or given up. */
  flush(): Promise<void>;
  /** Flushes for a graceful shutdown; items added after it are written without waiting. */
  close(): Promise<void>;
}

/** A batch that could not be written after every retry. Says how much and why, never what (items hold personal data). */
export class BatchLostError extends Error {
  override name = 'BatchLostError';
  constructor(
    /** Items in the lost batch. */
    readonly count: number,
    /** Attempts made, the first included. */
    readonly attempts: number,
    /** The last failure, in one line. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${count} item(s) not written after ${attempts} attempt(s): ${reason}`, options);
  }
}

interface Entry<T> {
  items: readonly T[];
  seq: number;
  /** performance.now() when added. */
  at: number;
  resolve(): void;
  reject(error: BatchLostError): void;
  done: Promise<void>;
}

/** Names a failure in one line without echoing the query (its parameters hold addresses, URLs and user agents). */
export function describeFailure(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return text.split('\n')[0]!.slice(0, 200);
}

function checkOption(optionsName: string, name: string, value: number, allowZero: boolean): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(`${optionsName}.${name} must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got ${value}`);
  }
  return value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds a writer that hands batches of items to `write` (e.g. `(rows) => recordHits(db, rows)`). */
export function createBatchWriter<T>(
  write: (items: T[]) => Promise<unknown>,
  options: BatchWriterOptions = {},
  hooks: BatchWriterHooks<T> = {},
): BatchWriter<T> {
  const optionsName = hooks.optionsName ?? 'BatchWriterOptions';
  const maxBatch = checkOption(optionsName, 'maxBatch', options.maxBatch ?? 100, false);
  const maxDelayMs = checkOption(optionsName, 'maxDelayMs', options.maxDelayMs ?? 50, true);
  const retries = checkOption(optionsName, 'retries', options.retries ?? 3, true);
  const backoffMs = checkOption(optionsName, 'backoffMs', options.backoffMs ?? 200, true);

  const queue: Entry<T>[] = [];
  let queued = 0;
  let seq = 0;
  // Entries up to this sequence number are written without waiting for company (flush, close).
  let urgentUntil = 0;
  let closed = false;
  let writing: Promise<void> | undefined;
  // performance.now() when the last write ended. The wait for company restarts there: on
  // Node a libSQL file write blocks the event loop, so the requests that arrived meanwhile
  // are not parsed yet when it ends, and a batch taken at once would leave them out.
  let freeSince = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Takes the next batch: whole entries from the head, at most maxBatch items unless one entry alone is larger. */
  function takeBatch(): Entry<T>[] {
    let count = 0;
    let size = 0;
    while (count < queue.length && (count === 0 || size + queue[count]!.items.length <= maxBatch)) {
      size += queue[count]!.items.length;
      count++;
    }
    queued -= size;
    return queue.splice(0, count);
  }

  async function writeBatch(batch: Entry<T>[]): Promise<void> {
    const items = batch.flatMap((entry) => entry.items);
    for (let attempt = 1; ; attempt++) {
      try {
        await write(items);
      } catch (err) {
        if (attempt <= retries) {
          await sleep(backoffMs * 2 ** (attempt - 1));
          continue;
        }
        const lost = new BatchLostError(items.length, attempt, describeFailure(err), { cause: err });
        try {
          hooks.onLost?.(items, lost);
        } catch {
          // A failing log must not keep the callers waiting or stop later batches.
        }
        for (const entry of batch) entry.reject(lost);
        return;
      }
      for (const entry of batch) entry.resolve();
      try {
        hooks.onWritten?.(items.length, attempt);
      } catch {
        // Metrics are best effort.
      }
      return;
    }
  }

  /** Starts the next write if one is due, else arms the timer for when it will be. */
  function schedule(): void {
    if (writing || queue.length === 0) return;
    const head = queue[0]!;
    const wait = Math.max(head.at, freeSince) + maxDelayMs - performance.now();
    if (queued >= maxBatch || closed || head.seq <= urgentUntil || wait <= 0) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      writing = writeBatch(takeBatch()).finally(() => {
        writing = undefined;
        freeSince = performance.now();
        schedule();
      });
    } else {
      timer ??= setTimeout(() => {
        timer = undefined;
        schedule();
      }, wait);
    }
  }

  function add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    let resolve!: () => void;
    let reject!: (error: BatchLostError) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    queue.push({ items, seq: ++seq, at: performance.now(), resolve, reject, done });
    queued += items.length;
    schedule();
    return done;
  }

  async function flush(): Promise<void> {
    const waiting: Promise<unknown>[] = queue.map((entry) => entry.done);
    if (writing) waiting.push(writing);
    urgentUntil = seq;
    schedule();
    await Promise.allSettled(waiting);
  }

  function close(): Promise<void> {
    closed = true;
    return flush();
  }

  return { add, flush, close };
}
