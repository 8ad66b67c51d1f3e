import { describe, expect, it } from 'vitest';
import { newHitKey } from './hit-key';

describe('newHitKey', () => {
  it('is a UUIDv7 that carries the time, so keys sort in the order hits arrived', () => {
    const key = newHitKey(Date.UTC(2026, 10, 28, 12, 0, 0, 123));
    expect(key).toMatch(/^hit:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(key.slice(4, 17).replace('-', ''), 16)).toBe(Date.UTC(2026, 10, 28, 12, 0, 0, 123));
    const keys = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((at) => newHitKey(at));
    expect([...keys].sort()).toEqual(keys);
  });

  it('differs for hits of the same millisecond', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => newHitKey(1_700_000_000_000)));
    expect(keys.size).toBe(1000);
  });
});
