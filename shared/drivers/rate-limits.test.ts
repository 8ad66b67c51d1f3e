import { describe, expect, it } from 'vitest';
import { domainRatesSchema, formatRate, perSecond, rateSchema } from './rate-limits';

const messages = (value: unknown) => rateSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('rate limits', () => {
  it('reads the string and the structured form alike', () => {
    expect(rateSchema.parse('50/s')).toEqual({ count: 50, per: 'second' });
    expect(rateSchema.parse(' 1000 / min ')).toEqual({ count: 1000, per: 'minute' });
    expect(rateSchema.parse('20/Minutes')).toEqual({ count: 20, per: 'minute' });
    expect(rateSchema.parse('5000/hour')).toEqual({ count: 5000, per: 'hour' });
    expect(rateSchema.parse('10000/day')).toEqual({ count: 10000, per: 'day' });
    expect(rateSchema.parse({ count: 7, per: 'hour' })).toEqual({ count: 7, per: 'hour' });
  });

  it('refuses bad rates naming the field and how to write it', () => {
    expect(messages('50/ms')).toEqual(['per: per must be "second", "minute", "hour" or "day" (or "s", "min", "h", "d")']);
    expect(messages('0/s')).toEqual(['count: count must be at least 1']);
    expect(messages('fast')![0]).toMatch(/write it as "50\/s"/);
    expect(messages('50/constructor')![0]).toMatch(/^per: /);
    expect(messages({ count: 2.5, per: 'second' })).toEqual(['count: count must be a whole number of messages, e.g. 50']);
    expect(messages({ count: 5, per: 'second', burst: 3 })![0]).toMatch(/burst/);
    expect(messages(5)![0]).toMatch(/a rate must be a string or \{ count, per \}/);
  });

  it('reads per-domain rates keyed by lower-case domain', () => {
    expect(domainRatesSchema.parse({ 'Gmail.com': '20/min', 'yahoo.com': { count: 100, per: 'hour' } })).toEqual({
      'gmail.com': { count: 20, per: 'minute' },
      'yahoo.com': { count: 100, per: 'hour' },
    });
    const bad = domainRatesSchema.safeParse({ 'not a domain': '5/s', 'ok.com': '5/ms' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['not a domain', 'ok.com.per']));
  });

  it('reads a rate as messages per second and as text', () => {
    expect(perSecond({ count: 120, per: 'minute' })).toBe(2);
    expect(formatRate({ count: 20, per: 'minute' })).toBe('20/minute');
  });
});
