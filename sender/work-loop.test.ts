// The work loop: steps run back to back while they find work, pause when they do not, and
// stop() ends a long pause at once instead of waiting it out.
import { describe, expect, it } from 'vitest';
import { createWorkLoop } from './work-loop';

describe('work loop', () => {
  it('stops at once during a long idle pause', async () => {
    let steps = 0;
    const loop = createWorkLoop('test', async () => (steps++, false), 60_000);
    loop.start();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(steps).toBe(1);
  });

  it('runs the next step at once while steps find work', async () => {
    let steps = 0;
    const loop = createWorkLoop('test', async () => ++steps < 5, 60_000);
    loop.start();
    await new Promise((r) => setTimeout(r, 100));
    await loop.stop();
    expect(steps).toBe(5);
  });
});
