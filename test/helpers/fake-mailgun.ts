// A local stand-in for Mailgun's HTTP API (hono on 127.0.0.1, a free port). It checks what
// Mailgun checks on messages.mime (HTTP basic auth as api:<key>, a known domain,
// multipart/form-data with `to` and a `message` file) and answers with Mailgun's own shapes:
// `{"id", "message"}` on success, `{"message": "..."}` on errors, plain "Forbidden" on 401.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { acceptedFromMime, type AcceptedMessage, type RelayFailure } from './driver-conformance';

/** One messages.mime request Mailgun accepted, as it arrived. */
export interface MailgunRequest {
  domain: string;
  to: string;
  /** The `message` file: our MIME. */
  raw: string;
  /** Every other form field (`o:`, `v:`, `h:` options), by name. */
  fields: Record<string, string>;
  contentType: string;
  /** The id Mailgun gave it, without angle brackets. */
  id: string;
}

export interface MailgunEvent {
  event: 'accepted' | 'delivered' | 'failed' | 'rejected' | 'opened';
  severity?: 'temporary' | 'permanent';
  timestamp: number;
}

export interface FakeMailgun {
  /** Base URL to give the driver as `endpoint`. */
  url: string;
  requests: MailgunRequest[];
  /** Events the Events API returns, by message id; sends add `accepted`. */
  events: Map<string, MailgunEvent[]>;
  /** The next messages.mime request fails so. */
  failNext(failure: RelayFailure): void;
  accepted(): Promise<AcceptedMessage[]>;
  close(): Promise<void>;
}

export interface FakeMailgunOptions {
  apiKey: string;
  /** Domains of the account (in this fake's region); `state` defaults to active. */
  domains: Record<string, { state?: 'active' | 'unverified' | 'disabled' }>;
}

const FAILURES: Record<RelayFailure, { status: 400 | 429 | 503; body: string; headers?: Record<string, string> }> = {
  rate_limited: { status: 429, body: JSON.stringify({ message: 'Too many requests' }), headers: { 'retry-after': '3' } },
  unavailable: { status: 503, body: JSON.stringify({ message: 'Service Unavailable' }) },
  recipient_rejected: { status: 400, body: JSON.stringify({ message: "to parameter is not a valid address. please check documentation" }) },
};

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export async function startFakeMailgun(options: FakeMailgunOptions): Promise<FakeMailgun> {
  const requests: MailgunRequest[] = [];
  const events = new Map<string, MailgunEvent[]>();
  const pending: RelayFailure[] = [];
  const expected = `Basic ${Buffer.from(`api:${options.apiKey}`).toString('base64')}`;
  const app = new Hono();

  const json = (c: Context, status: 200 | 400 | 404, body: unknown) => c.json(body, status);

  app.use('/v3/*', async (c, next) => {
    if (c.req.header('authorization') !== expected) return c.text('Forbidden', 401);
    await next();
  });

  app.get('/v3/domains/:domain', (c) => {
    const domain = options.domains[c.req.param('domain')];
    if (!domain) return json(c, 404, { message: 'Domain not found' });
    return json(c, 200, { domain: { name: c.req.param('domain'), state: domain.state ?? 'active' }, receiving_dns_records: [], sending_dns_records: [] });
  });

  app.post('/v3/:domain/messages.mime', async (c) => {
    const domain = c.req.param('domain');
    if (!options.domains[domain]) return json(c, 404, { message: 'Domain not found' });
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.startsWith('multipart/form-data')) return json(c, 400, { message: 'messages.mime must be sent as multipart/form-data' });
    const failure = pending.shift();
    if (failure) {
      const { status, body, headers } = FAILURES[failure];
      return c.body(body, status, { 'content-type': 'application/json', ...headers });
    }
    const form = await c.req.formData();
    const to = form.get('to');
    const message = form.get('message');
    if (typeof to !== 'string' || !to) return json(c, 400, { message: 'to parameter is missing' });
    if (!to.split(',').every((a) => ADDRESS.test(a.trim()))) return json(c, 400, { message: 'to parameter is not a valid address. please check documentation' });
    if (!(message instanceof File)) return json(c, 400, { message: 'message parameter is missing' });
    const fields: Record<string, string> = {};
    for (const [name, value] of form.entries()) if (typeof value === 'string' && name !== 'to') fields[name] = value;
    const id = `${Date.now()}.${requests.length + 1}@${domain}`;
    requests.push({ domain, to, raw: await message.text(), fields, contentType, id });
    events.set(id, [{ event: 'accepted', timestamp: Date.now() / 1000 }]);
    return json(c, 200, { id: `<${id}>`, message: 'Queued. Thank you.' });
  });

  app.get('/v3/:domain/events', (c) => {
    const id = c.req.query('message-id') ?? '';
    return json(c, 200, { items: (events.get(id) ?? []).map((e) => ({ ...e, message: { headers: { 'message-id': id } } })), paging: {} });
  });

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => resolve(s)) as Server;
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events,
    failNext(failure) {
      pending.push(failure);
    },
    accepted: () => Promise.all(requests.map((r) => acceptedFromMime(r.to, r.raw))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

