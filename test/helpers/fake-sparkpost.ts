// A local stand-in for SparkPost's API (hono on 127.0.0.1, a free port). It checks what
// SparkPost checks on a transmission (the API key as the bare Authorization header, a JSON
// body, recipients, content that is email_rfc822 alone) and answers with SparkPost's shapes:
// `{"results": {...}}` on success, `{"errors": [{"message", "description", "code"}]}` on errors.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { acceptedFromMime, type AcceptedMessage, type RelayFailure } from './driver-conformance';

/** One transmission SparkPost accepted, as it arrived. */
export interface SparkpostRequest {
  id: string;
  /** The JSON body as sent. */
  body: Transmission;
  contentType: string;
}

export interface Transmission {
  options?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  recipients?: { address?: { email?: string } | string }[];
  content?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface SparkpostEvent {
  type: 'injection' | 'delivery' | 'delay' | 'bounce' | 'open';
  /** ISO 8601, as SparkPost writes it. */
  timestamp: string;
}

export interface FakeSparkpost {
  /** Base URL to give the driver as `endpoint`. */
  url: string;
  requests: SparkpostRequest[];
  /** Events the Events API returns, by transmission id; sends add `injection`. */
  events: Map<string, SparkpostEvent[]>;
  /** The next transmission fails so. */
  failNext(failure: RelayFailure): void;
  /** Recipients on the account's suppression list: refused with error 1902. */
  suppressed: Set<string>;
  accepted(): Promise<AcceptedMessage[]>;
  close(): Promise<void>;
}

const errorsOf = (message: string, code: string, description?: string) => ({ errors: [{ message, code, ...(description ? { description } : {}) }] });
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
let lastId = 7_000_000_000_000_000;

export async function startFakeSparkpost(options: { apiKey: string }): Promise<FakeSparkpost> {
  const requests: SparkpostRequest[] = [];
  const events = new Map<string, SparkpostEvent[]>();
  const pending: RelayFailure[] = [];
  const suppressed = new Set<string>();
  const app = new Hono();

  app.use('/api/v1/*', async (c, next) => {
    if (c.req.header('authorization') !== options.apiKey) return c.json(errorsOf('Unauthorized.', '1304'), 401);
    await next();
  });

  app.get('/api/v1/transmissions', (c) => c.json({ results: [] }));

  app.post('/api/v1/transmissions', async (c) => {
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.startsWith('application/json')) return c.json(errorsOf('Unsupported Media Type', '1300', 'Content-Type must be application/json'), 415);
    let body: Transmission;
    try {
      body = (await c.req.json()) as Transmission;
    } catch {
      return c.json(errorsOf('invalid data format/type', '1300', 'the body is not valid JSON'), 400);
    }
    const failure = pending.shift();
    if (failure === 'rate_limited') return c.json(errorsOf('Too many requests', '1350', 'rate limit exceeded, slow down'), 429, { 'retry-after': '4' });
    if (failure === 'unavailable') return c.json(errorsOf('Service Unavailable', '1500'), 503);
    const recipients = Array.isArray(body.recipients) ? body.recipients : [];
    if (recipients.length === 0) return c.json(errorsOf('required field is missing', '1400', 'recipients'), 422);
    const content = body.content ?? {};
    if (typeof content.email_rfc822 !== 'string' || !content.email_rfc822) return c.json(errorsOf('required field is missing', '1400', 'content'), 422);
    const others = Object.keys(content).filter((k) => k !== 'email_rfc822');
    if (others.length) return c.json(errorsOf('Invalid combination of fields', '1301', `email_rfc822 cannot be combined with ${others.join(', ')}`), 422);
    const emails = recipients.map((r) => (typeof r.address === 'string' ? r.address : r.address?.email ?? ''));
    const invalid = emails.find((e) => !ADDRESS.test(e));
    if (invalid !== undefined) return c.json(errorsOf('invalid data format/type', '1300', `Invalid recipient address.email: ${invalid}`), 422);
    const allowed = emails.filter((e) => !suppressed.has(e));
    if (allowed.length === 0 && emails.length === 1) {
      return c.json(errorsOf('Message generation rejected', '1902', 'recipient address suppressed due to customer policy'), 400);
    }
    // A rejected recipient in a 200 answer: SparkPost takes the transmission but not them.
    const rejected = failure === 'recipient_rejected' ? emails.length : emails.length - allowed.length;
    const id = String(++lastId);
    if (rejected < emails.length) {
      requests.push({ id, body, contentType });
      events.set(id, [{ type: 'injection', timestamp: new Date().toISOString() }]);
    }
    return c.json({ results: { total_rejected_recipients: rejected, total_accepted_recipients: emails.length - rejected, id } });
  });

  app.get('/api/v1/events/message', (c) => {
    const from = c.req.query('from');
    if (from !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z?$/.test(from)) {
      return c.json(errorsOf('invalid params', '1200', 'from must be YYYY-MM-DDTHH:MM:ssZ'), 400);
    }
    const ids = (c.req.query('transmissions') ?? '').split(',');
    const types = c.req.query('events')?.split(',');
    const results = ids.flatMap((id) => (events.get(id) ?? []).map((e) => ({ ...e, transmission_id: id })));
    return c.json({ results: types ? results.filter((e) => types.includes(e.type)) : results, total_count: results.length, links: {} });
  });

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => resolve(s)) as Server;
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events,
    suppressed,
    failNext(failure) {
      pending.push(failure);
    },
    accepted: () => Promise.all(requests.map((r) => acceptedMessage(r.body))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What a recipient would see of the transmission's email_rfc822 content. */
function acceptedMessage(body: Transmission): Promise<AcceptedMessage> {
  const first = body.recipients?.[0]?.address;
  return acceptedFromMime(typeof first === 'string' ? first : first?.email ?? '', String(body.content?.email_rfc822));
}
