// Sending rates: a count per second, minute, hour or day, for a sending server and for
// recipient domains. Written as "50/s", "1000/min", "10000/day" or `{ count, per }`; both
// parse to the structured form the sender's throttle enforces. The API validates with these
// schemas when a server is saved, the sender parses them again before it throttles.
import { z } from 'zod';

export const ratePeriodsMs = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type RatePeriod = keyof typeof ratePeriodsMs;

/** At most `count` messages in any window of one `per`. */
export interface Rate {
  count: number;
  per: RatePeriod;
}

/** Above this a limit is surely a typo (a million a second is more than any relay takes). */
export const MAX_RATE_COUNT = 100_000_000;

const periodWords: Record<string, RatePeriod> = {
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
};

const STRING_FORM = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i;
const HOW_TO_WRITE = 'write it as "50/s", "1000/min", "5000/hour" or "10000/day"';

const rateObject = z.strictObject(
  {
    count: z
      .int('count must be a whole number of messages, e.g. 50')
      .min(1, 'count must be at least 1')
      .max(MAX_RATE_COUNT, `count must be at most ${MAX_RATE_COUNT}`),
    per: z.enum(['second', 'minute', 'hour', 'day'], 'per must be "second", "minute", "hour" or "day" (or "s", "min", "h", "d")'),
  },
  // Only for a value that is no object at all; an unknown key keeps zod's message, which names it.
  { error: (issue) => (issue.code === 'invalid_type' ? `a rate must be a string or { count, per }: ${HOW_TO_WRITE}` : undefined) },
);

/** "50/s" to `{ count: 50, per: 'second' }`; anything else is left for `rateObject` to refuse by name. */
function fromString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = STRING_FORM.exec(value);
  if (!match) return value;
  const word = match[2]!.toLowerCase();
  return { count: Number(match[1]), per: Object.hasOwn(periodWords, word) ? periodWords[word] : word };
}

/** A rate as the API takes it: "50/s" or `{ count: 50, per: "second" }`; parses to a `Rate`. */
export const rateSchema: z.ZodType<Rate, unknown> = z.preprocess(fromString, rateObject);

// A domain name as it appears after the @ of an address, e.g. gmail.com.
const domainName = z
  .string()
  .transform((d) => d.trim().toLowerCase())
  .pipe(z.hostname('each key must be a domain name, e.g. gmail.com').refine((d) => d.includes('.'), 'each key must be a domain name with a dot, e.g. gmail.com'));

/** Optional per-recipient-domain rates of one server, e.g. `{ "gmail.com": "20/min" }`. */
export const domainRatesSchema = z
  .record(domainName, rateSchema)
  .refine((rates) => Object.keys(rates).length <= 1_000, 'at most 1000 domain rates per server');

export type DomainRates = Record<string, Rate>;

/** The length of a rate's window in milliseconds. */
export function periodMsOf(rate: Rate): number {
  return ratePeriodsMs[rate.per];
}

/** Messages per second a rate allows on average. */
export function perSecond(rate: Rate): number {
  return (rate.count * 1_000) / periodMsOf(rate);
}

/** "50/second": how a rate reads in logs and error messages. */
export function formatRate(rate: Rate): string {
  return `${rate.count}/${rate.per}`;
}
