import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_BASE_MS, MAX_RETRY_DELAY_MS, retryAfterMs, retryDelayMs } from './retry-delay';

describe('webhook retry delay', () => {
  it('doubles from the base after each failed attempt, within ±20 % jitter', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect(retryDelayMs(1, 1000, low)).toBe(800);
    expect(retryDelayMs(1, 1000, high)).toBe(1200);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(2, undefined, () => 0.5)).toBe(2 * DEFAULT_RETRY_BASE_MS);
  });

  it('never waits more than a day between attempts', () => {
    expect(retryDelayMs(40, DEFAULT_RETRY_BASE_MS, () => 0.5)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('reads Retry-After as seconds or as a date, capped at a day', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:10:00 GMT', now)).toBe(600_000);
    expect(retryAfterMs('999999', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
