import { describe, expect, it } from 'vitest';
import type { HitRow } from '../shared/tracking/hit';
import { createBatchingHitRecorder, type BatchingHitRecorderOptions } from './batching-hit-recorder';
import type { Hit } from './hit-recorder';
import { scriptedWrite } from '../test/helpers/scripted-write';

const hit = (messageId: number): Hit => ({ kind: 'click', messageId, url: `https://shop.example/${messageId}`, at: 1, method: 'GET' });

const writer = () => scriptedWrite<HitRow>();

const fast: BatchingHitRecorderOptions = { maxDelayMs: 10, backoffMs: 1 };

describe('batching hit recorder', () => {
  it('writes full batches at once and the remainder after the delay', async () => {
    const w = writer();
    const recorder = createBatchingHitRecorder(w.write, { ...fast, maxDelayMs: 60_000 });
    const done = Array.from({ length: 250 }, (_, i) => recorder.record(hit(i + 1)));
    await Promise.all(done.slice(0, 200));
    expect(w.batches.map((b) => b.length)).toEqual([100, 100]);
    await recorder.flush();
    await Promise.all(done);
    expect(w.batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(w.batches.flat().map((r) => r.messageId)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('waits a short delay for company, then writes', async () => {
    const w = writer();
    const recorder = createBatchingHitRecorder(w.write, { maxDelayMs: 30 });
    const started = Date.now();
    const a = recorder.record(hit(1));
    const b = recorder.record(hit(2));
    expect(w.batches).toHaveLength(0);
    await Promise.all([a, b]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(w.batches.map((x) => x.length)).toEqual([2]);
  });

  it('resolves record() only once its batch is written', async () => {
    const w = writer();
    const release = w.hold();
    const recorder = createBatchingHitRecorder(w.write, fast);
    let settled = false;
    const recording = recorder.record(hit(1)).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 40));
    expect(w.batches).toHaveLength(1);
    expect(settled).toBe(false);
    release();
    await recording;
    expect(settled).toBe(true);
  });

  it('gives every hit its own key, fixed before the first attempt, so a retry writes the same keys', async () => {
    const w = writer();
    w.failNext(2);
    const logs: string[] = [];
    const recorder = createBatchingHitRecorder(w.write, { ...fast, log: (m) => logs.push(m) });
    await Promise.all([recorder.record(hit(1)), recorder.record(hit(2))]);
    expect(w.batches).toHaveLength(3);
    const keys = w.batches.map((b) => b.map((r) => r.key));
    expect(keys[0]![0]).toMatch(/^hit:[0-9a-f-]{36}$/);
    expect(keys[0]![0]).not.toBe(keys[0]![1]);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    expect(logs).toEqual([]);
  });

  it('gives up after the retries, logs how many hits were lost (never what they were), and still resolves', async () => {
    const w = writer();
    w.failNext(Infinity);
    const logs: string[] = [];
    const recorder = createBatchingHitRecorder(w.write, { ...fast, retries: 2, log: (m) => logs.push(m) });
    await Promise.all([recorder.record(hit(41)), recorder.record(hit(42)), recorder.record(hit(43))]);
    expect(w.batches).toHaveLength(3);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/lost 3 tracking hit\(s\) after 3 attempt\(s\): Error: SQLITE_BUSY: database is locked/);
    expect(logs[0]).not.toMatch(/shop\.example|hit:|4[123]/);
  });

  it('keeps writing later batches when the log itself throws', async () => {
    const w = writer();
    w.failNext(1);
    const recorder = createBatchingHitRecorder(w.write, { ...fast, retries: 0, log: () => { throw new Error('log sink down'); } });
    await recorder.record(hit(1));
    await recorder.record(hit(2));
    expect(w.batches.map((b) => b[0]!.messageId)).toEqual([1, 2]);
  });

  it('writes batches one after another, never two at once', async () => {
    let inFlight = 0;
    let most = 0;
    const recorder = createBatchingHitRecorder(
      async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
      { ...fast, maxBatch: 10 },
    );
    await Promise.all(Array.from({ length: 55 }, (_, i) => recorder.record(hit(i + 1))));
    expect(most).toBe(1);
  });

  it('flushes on close, and writes later hits without waiting for the timer', async () => {
    const w = writer();
    const recorder = createBatchingHitRecorder(w.write, { ...fast, maxDelayMs: 60_000 });
    const early = recorder.record(hit(1));
    await recorder.close();
    await early;
    expect(w.batches.map((b) => b.length)).toEqual([1]);
    await recorder.record(hit(2));
    expect(w.batches.map((b) => b.length)).toEqual([1, 1]);
  });

  it('refuses options that are not positive integers, naming the option', () => {
    const write = async () => {};
    expect(() => createBatchingHitRecorder(write, { maxBatch: 0 })).toThrow(/BatchingHitRecorderOptions\.maxBatch must be a positive integer, got 0/);
    expect(() => createBatchingHitRecorder(write, { maxDelayMs: -1 })).toThrow(/maxDelayMs must be a non-negative integer/);
    expect(() => createBatchingHitRecorder(write, { retries: 1.5 })).toThrow(/retries/);
    expect(() => createBatchingHitRecorder(write, { backoffMs: Number.NaN })).toThrow(/backoffMs/);
  });
});
