import { describe, expect, it } from 'vitest';
import { batchCalls } from './batch-calls';

describe('batchCalls', () => {
  it('runs concurrent calls as one batch and gives each its own result', async () => {
    const batches: number[][] = [];
    const double = batchCalls(async (xs: number[]) => {
      batches.push(xs);
      return xs.map((x) => x * 2);
    }, { maxBatch: 3 });
    const results = await Promise.all([1, 2, 3, 4, 5].map(double));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
    expect(await double(7)).toBe(14);
    expect(batches.at(-1)).toEqual([7]);
  });

  it('waits up to lingerMs for calls that come later, and no longer once the batch is full', async () => {
    const batches: string[][] = [];
    const call = batchCalls(
      async (xs: string[]) => {
        batches.push(xs);
        return xs;
      },
      { maxBatch: 3, lingerMs: 1_000 },
    );
    const first = call('a');
    await new Promise((r) => setTimeout(r, 20));
    const second = call('b');
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(batches).toEqual([['a', 'b']]);

    const started = performance.now();
    expect(await Promise.all(['c', 'd', 'e'].map(call))).toEqual(['c', 'd', 'e']);
    expect(performance.now() - started).toBeLessThan(500);
    expect(batches.at(-1)).toEqual(['c', 'd', 'e']);
  });

  it('rejects every call of a failed batch, and later batches still run', async () => {
    let fail = true;
    const call = batchCalls(async (xs: string[]) => {
      if (fail) throw new Error('database is down');
      return xs;
    });
    const settled = await Promise.allSettled([call('a'), call('b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await call('c')).toBe('c');
  });
});
