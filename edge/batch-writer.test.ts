import { describe, expect, it } from 'vitest';
import { BatchLostError, createBatchWriter, describeFailure, type BatchWriterOptions } from './batch-writer';
import { scriptedWrite } from '../test/helpers/scripted-write';

const writer = () => scriptedWrite<number>();

const fast: BatchWriterOptions = { maxDelayMs: 10, backoffMs: 1 };
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('batch writer', () => {
  it('fills the next batch while one is being written, so a burst is written in full batches', async () => {
    const w = writer();
    const release = w.hold();
    const batcher = createBatchWriter(w.write, { ...fast, maxBatch: 100 });
    // The first item starts a batch after the delay; the 350 that follow arrive while it is written.
    const first = batcher.add([0]);
    await tick(30);
    const rest = range(1, 350).map((i) => batcher.add([i]));
    expect(w.batches.map((b) => b.length)).toEqual([1]);
    release();
    await Promise.all([first, ...rest]);
    expect(w.batches.map((b) => b.length)).toEqual([1, 100, 100, 100, 50]);
    expect(w.batches.flat()).toEqual(range(0, 351));
  });

  it('after a write, waits for company again before writing a batch that is not full', async () => {
    // On Node a file write blocks the event loop: requests that came in meanwhile are only
    // parsed after it, and must still find the next batch open.
    const w = writer();
    const release = w.hold();
    const batcher = createBatchWriter(w.write, { ...fast, maxDelayMs: 40 });
    const first = batcher.add([1]);
    await tick(50);
    const during = batcher.add([2]);
    await tick(60);
    release();
    await first;
    const after = batcher.add([3]);
    await Promise.all([during, after]);
    expect(w.batches).toEqual([[1], [2, 3]]);
  });

  it('keeps the items of one add together, and writes an add larger than a batch on its own', async () => {
    const w = writer();
    const batcher = createBatchWriter(w.write, { ...fast, maxBatch: 10 });
    await Promise.all([batcher.add(range(0, 6)), batcher.add(range(6, 6)), batcher.add(range(12, 25)), batcher.add(range(37, 3))]);
    expect(w.batches).toEqual([range(0, 6), range(6, 6), range(12, 25), range(37, 3)]);
  });

  it('resolves an add only when its batch is written, retrying with backoff in between', async () => {
    const w = writer();
    w.failNext(2);
    const sizes: Array<[number, number]> = [];
    const batcher = createBatchWriter(w.write, { ...fast, backoffMs: 20 }, { onWritten: (size, attempts) => sizes.push([size, attempts]) });
    const started = performance.now();
    await batcher.add([1, 2]);
    // 20 ms, then 40 ms of backoff.
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(w.batches).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(sizes).toEqual([[2, 3]]);
  });

  it('rejects every add of a lost batch with one BatchLostError that says how many and why, never what', async () => {
    const w = writer();
    w.failNext(Infinity);
    const lost: Array<[readonly number[], BatchLostError]> = [];
    const batcher = createBatchWriter(w.write, { ...fast, retries: 1 }, { onLost: (items, error) => lost.push([items, error]) });
    const results = await Promise.allSettled([batcher.add([7]), batcher.add([8, 9])]);
    expect(w.batches).toEqual([[7, 8, 9], [7, 8, 9]]);
    expect(lost).toHaveLength(1);
    const [items, error] = lost[0]!;
    expect(items).toEqual([7, 8, 9]);
    expect(error).toBeInstanceOf(BatchLostError);
    expect(error).toMatchObject({ count: 3, attempts: 2, reason: 'Error: SQLITE_BUSY: database is locked' });
    expect(error.message).toBe('3 item(s) not written after 2 attempt(s): Error: SQLITE_BUSY: database is locked');
    expect(results).toEqual([
      { status: 'rejected', reason: error },
      { status: 'rejected', reason: error },
    ]);
  });

  it('goes on with later batches after a lost one, even when the hooks throw', async () => {
    const w = writer();
    w.failNext(1);
    const boom = () => {
      throw new Error('log sink down');
    };
    const batcher = createBatchWriter(w.write, { ...fast, retries: 0 }, { onLost: boom, onWritten: boom });
    await expect(batcher.add([1])).rejects.toBeInstanceOf(BatchLostError);
    await expect(batcher.add([2])).resolves.toBeUndefined();
    expect(w.batches).toEqual([[1], [2]]);
  });

  it('never writes two batches at once', async () => {
    let inFlight = 0;
    let most = 0;
    const batcher = createBatchWriter(
      async () => {
        most = Math.max(most, ++inFlight);
        await tick(3);
        inFlight--;
      },
      { ...fast, maxBatch: 7 },
    );
    await Promise.all(range(0, 60).map((i) => batcher.add([i])));
    expect(most).toBe(1);
  });

  it('flush waits for the batch being written and writes what waits behind it at once', async () => {
    const w = writer();
    const release = w.hold();
    const batcher = createBatchWriter(w.write, { ...fast, maxBatch: 2, maxDelayMs: 60_000 });
    const a = batcher.add([1, 2]);
    await tick();
    const b = batcher.add([3]);
    let flushed = false;
    const flushing = batcher.flush().then(() => (flushed = true));
    await tick(20);
    expect(flushed).toBe(false);
    release();
    await flushing;
    await Promise.all([a, b]);
    expect(w.batches).toEqual([[1, 2], [3]]);
  });

  it('writes without waiting once closed', async () => {
    const w = writer();
    const batcher = createBatchWriter(w.write, { ...fast, maxDelayMs: 60_000 });
    const early = batcher.add([1]);
    await batcher.close();
    await early;
    const started = performance.now();
    await batcher.add([2]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(w.batches).toEqual([[1], [2]]);
  });

  it('resolves an empty add at once without writing', async () => {
    const w = writer();
    const batcher = createBatchWriter(w.write, fast);
    await batcher.add([]);
    await batcher.flush();
    expect(w.batches).toEqual([]);
  });

  it('refuses options that are not positive integers, naming them as the caller knows them', () => {
    const write = async () => {};
    expect(() => createBatchWriter(write, { maxBatch: 0 })).toThrow('BatchWriterOptions.maxBatch must be a positive integer, got 0');
    expect(() => createBatchWriter(write, { retries: -1 }, { optionsName: 'FeedbackOptions' })).toThrow('FeedbackOptions.retries must be a non-negative integer, got -1');
  });
});

describe('describeFailure', () => {
  it('keeps the first line of the cause, so a failed query never echoes its parameters', () => {
    const err = new Error('Failed query: insert ... params: ann@example.com', { cause: new Error('SQLITE_FULL: disk full\nparams: ann@example.com') });
    expect(describeFailure(err)).toBe('Error: SQLITE_FULL: disk full');
    expect(describeFailure('x'.repeat(500))).toHaveLength(200);
  });
});
