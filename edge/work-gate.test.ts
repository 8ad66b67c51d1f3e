import { describe, expect, it } from 'vitest';
import { createWorkGate } from './work-gate';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('work gate', () => {
  it('runs at most `concurrent` at once, queues `queued` more, refuses the rest, and frees its slots', async () => {
    const gate = createWorkGate(2, 1);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const work = () =>
      new Promise<string>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        releases.push(() => {
          running--;
          resolve('done');
        });
      });
    const results = [gate.run(work), gate.run(work), gate.run(work), gate.run(work)];
    expect(await results[3]).toBeNull();
    await tick();
    expect(releases).toHaveLength(2);
    releases.shift()!();
    await tick();
    expect(releases).toHaveLength(2); // the queued one took the freed slot
    releases.splice(0).forEach((release) => release());
    expect(await Promise.all(results.slice(0, 3))).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(await gate.run(async () => 'again')).toBe('again');
  });

  it('frees the slot when the work throws', async () => {
    const gate = createWorkGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 1)).toBe(1);
  });
});
