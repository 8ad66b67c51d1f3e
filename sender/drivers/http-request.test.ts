// The shared fetch wrapper against real sockets on loopback, and the Retry-After parser.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifySendError, SendError } from '../send-error';
import { fetchWithDeadline, retryAfterMs } from './http-request';

const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback port that was just free: connecting to it is refused. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function failureOf(promise: Promise<unknown>): Promise<SendError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!(err instanceof SendError)) throw new Error(`expected a SendError, got ${String(err)}`);
  return err;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('fetchWithDeadline', () => {
  it('passes the answer through, whatever its status, with the init it was given', async () => {
    const seen: { method?: string; auth?: string; body?: string }[] = [];
    const base = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, auth: req.headers.authorization, body });
        res.writeHead(503, { 'retry-after': '7' }).end('busy');
      });
    });
    const res = await fetchWithDeadline(fetch, `${base}/v3/send`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: 'hello' }, 'Relay', 5000);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('busy');
    expect(seen).toEqual([{ method: 'POST', auth: 'Bearer k', body: 'hello' }]);
  });

  it('sends a prepared Request (a signed one) as it is', async () => {
    let path = '';
    const base = await listen((req, res) => {
      path = req.url ?? '';
      res.end('{}');
    });
    const res = await fetchWithDeadline(fetch, new Request(`${base}/v2/email/account`), {}, 'SES', 5000);
    expect(res.status).toBe(200);
    expect(path).toBe('/v2/email/account');
  });

  it('turns a refused connection into a retryable ECONNECTION naming the provider and host', async () => {
    const base = await closedPort();
    const err = await failureOf(fetchWithDeadline(fetch, `${base}/v3/x?secret=1`, {}, 'Mailgun', 5000));
    expect(err.code).toBe('ECONNECTION');
    // The socket's own words (from the TypeError's cause), and only the origin of the URL.
    expect(err.message).toMatch(new RegExp(`^could not reach Mailgun at ${base}: .*ECONNREFUSED`));
    expect(err.message).not.toContain('secret');
    expect(classifySendError(err)).toMatchObject({ outcome: 'retry', code: 'ECONNECTION' });
  });

  it('turns a relay that never answers into a retryable ETIMEDOUT after the deadline', async () => {
    const base = await listen(() => {});
    const started = Date.now();
    const err = await failureOf(fetchWithDeadline(fetch, `${base}/email`, {}, 'Postmark', 100));
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.message).toBe(`Postmark (${base}) did not answer within 100 ms`);
    expect(classifySendError(err)).toMatchObject({ outcome: 'retry', code: 'ETIMEDOUT' });
  });

  it('uses the fetch it is given, with the deadline signal', async () => {
    let signal: AbortSignal | null | undefined;
    const hanging = ((_input: unknown, init?: RequestInit) => {
      signal = init?.signal;
      return new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    }) as typeof fetch;
    const err = await failureOf(fetchWithDeadline(hanging, 'https://api.example.com/v1', {}, 'SparkPost', 30));
    expect(signal?.aborted).toBe(true);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', message: 'SparkPost (https://api.example.com) did not answer within 30 ms' });
  });

  it('reads a fetch failure without a cause from its own message', async () => {
    const broken = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const err = await failureOf(fetchWithDeadline(broken, 'https://api.example.com', {}, 'Elastic Email', 1000));
    expect(err).toMatchObject({ code: 'ECONNECTION', message: 'could not reach Elastic Email at https://api.example.com: fetch failed' });
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date as the time left until it, and a past date as no wait', () => {
    expect(retryAfterMs('Sat, 01 Mar 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('is undefined when the header is absent, empty or unreadable', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('   ', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('counts from the current time by default', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(inAMinute)).toBeGreaterThan(55_000);
    expect(retryAfterMs(inAMinute)).toBeLessThanOrEqual(60_000);
  });
});
