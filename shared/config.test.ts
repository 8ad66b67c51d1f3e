import { describe, expect, it } from 'vitest';
import { edgeConfigSchema, parseConfig, senderConfigSchema } from './config';

const SECRET = 'config-test-secret-0123456789-0123456789';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(senderConfigSchema, { SECRET_KEY: SECRET });
    expect(config).toMatchObject({
      DATABASE_URL: 'file:data/edgepost.db',
      PUBLIC_URL: 'http://localhost:8787',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SENDER_CONCURRENCY: 20,
      QUEUE_PREFIX: 'edgepost',
    });
    expect(parseConfig(edgeConfigSchema, { SECRET_KEY: SECRET })).toMatchObject({ PORT: 8787, HOST: '127.0.0.1' });
  });

  it('lists every variable to fix at once', () => {
    let message = '';
    try {
      parseConfig(edgeConfigSchema, { SECRET_KEY: 'short', DATABASE_URL: 'postgres://x', PORT: '99999' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('SECRET_KEY: SECRET_KEY must be at least 32 characters');
    expect(message).toContain('DATABASE_URL: DATABASE_URL must start with');
    expect(message).toMatch(/PORT: /);
  });

  it('takes a PUBLIC_URL only if it can go into every link as it is', () => {
    const parse = (PUBLIC_URL: string) => parseConfig(edgeConfigSchema, { SECRET_KEY: SECRET, PUBLIC_URL });
    expect(parse('https://t.example.com/').PUBLIC_URL).toBe('https://t.example.com');
    expect(parse('http://127.0.0.1:8787/edge').PUBLIC_URL).toBe('http://127.0.0.1:8787/edge');
    for (const bad of ['https://t.example.com/?a=1&b=2', 'https://t.example.com/"x', 'https://t.example.com/#f', 'ftp://t.example.com', 'https://t example.com']) {
      expect(() => parse(bad), bad).toThrow(/PUBLIC_URL/);
    }
  });
});
