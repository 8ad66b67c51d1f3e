// When a failed webhook delivery is tried again: exponential backoff with jitter, as the
// Standard Webhooks guidelines ask, so a receiver that fell over is not hit by every
// delivery at the same instant when it comes back. docs/webhooks.md prints the schedule.

/** The first retry comes this long after the first failure; each later one doubles it. */
export const DEFAULT_RETRY_BASE_MS = 60_000;
/** No single wait is longer than a day, whatever the attempt. */
export const MAX_RETRY_DELAY_MS = 24 * 60 * 60 * 1000;
/** Each wait is its nominal value ± this share, at random. */
const JITTER = 0.2;

/** The wait after failed attempt number `attempt` (1 for the first attempt). */
export function retryDelayMs(attempt: number, baseMs = DEFAULT_RETRY_BASE_MS, random: () => number = Math.random): number {
  const nominal = Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
  return Math.round(nominal * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * A `Retry-After` header (seconds, or an HTTP date) as milliseconds from `now`, at most a
 * day; null when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_DELAY_MS) : null;
}
