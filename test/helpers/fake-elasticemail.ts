// A local stand-in for the Elastic Email REST API v4 that checks what it checks: the
// X-ElasticEmail-ApiKey header, a JSON body with recipients, a From and body parts of known
// content types. Errors come back as Elastic Email's {"Error": "..."} with the HTTP status.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcceptedMessage, RelayFailure } from './driver-conformance';

export interface ElasticEmailReceived {
  body: Record<string, any>;
  headers: Record<string, string | string[] | undefined>;
  transactionId: string;
  messageId: string;
}

export interface FakeElasticEmail {
  /** The driver's `endpoint` setting (the /v4 base). */
  endpoint: string;
  received: ElasticEmailReceived[];
  /** Delivery counts the status endpoint reports per transaction (default: one delivered). */
  statuses: Map<string, Record<string, number>>;
  /** Paths requested so far, for asserting what was asked. */
  requests: string[];
  accepted(): AcceptedMessage[];
  failNext(failure: RelayFailure): void;
  close(): Promise<void>;
}

const FAILURES: Record<RelayFailure, [number, string, Record<string, string>?]> = {
  rate_limited: [429, 'Too many requests, please slow down', { 'retry-after': '7' }],
  unavailable: [503, 'Service temporarily unavailable'],
  recipient_rejected: [400, 'Recipient zoe10@example.org is on the suppression list and will not be sent to'],
};

const BODY_TYPES = new Set(['HTML', 'PlainText', 'AMP', 'CSS']);
const ADDRESS = /<([^<>\s]+@[^<>\s]+)>\s*$|^([^<>\s]+@[^<>\s]+)$/;

function addressOf(mailbox: string): string | null {
  const m = ADDRESS.exec(mailbox.trim());
  return m ? (m[1] ?? m[2])! : null;
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the fake on 127.0.0.1 and a free port; only `apiKey` is accepted. */
export async function startFakeElasticEmail(apiKey: string): Promise<FakeElasticEmail> {
  const received: ElasticEmailReceived[] = [];
  const statuses = new Map<string, Record<string, number>>();
  const requests: string[] = [];
  const failures: RelayFailure[] = [];

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers['x-elasticemail-apikey'] !== apiKey) return answer(res, 401, { Error: 'Access Denied. Incorrect API key.' });

    if (req.method === 'GET' && url.pathname === '/v4/statistics') {
      const from = url.searchParams.get('from');
      if (!from || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(from)) return answer(res, 400, { Error: 'Parameter from is required, in YYYY-MM-DDThh:mm:ss format' });
      return answer(res, 200, { Recipients: received.length, EmailTotal: received.length, Delivered: received.length, Bounced: 0 });
    }
    const status = /^\/v4\/emails\/([^/]+)\/status$/.exec(url.pathname);
    if (req.method === 'GET' && status) {
      const id = decodeURIComponent(status[1]!);
      if (!received.some((r) => r.transactionId === id)) return answer(res, 404, { Error: `Transaction ${id} not found` });
      return answer(res, 200, { ID: id, Status: 'complete', RecipientsCount: 1, FailedCount: 0, SentCount: 1, DeliveredCount: 1, PendingCount: 0, ...statuses.get(id) });
    }
    if (req.method === 'POST' && url.pathname === '/v4/emails/transactional') return send(req, res, raw);
    return answer(res, 404, { Error: `No such endpoint: ${req.method} ${url.pathname}` });
  }

  function send(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return answer(res, 415, { Error: 'Unsupported Media Type: use application/json' });
    let body: Record<string, any>;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return answer(res, 400, { Error: 'The request body is not valid JSON' });
    }
    const to = body.Recipients?.To;
    if (!Array.isArray(to) || to.length === 0 || !to.every((t: unknown) => typeof t === 'string' && addressOf(t))) return answer(res, 400, { Error: 'Recipients.To must list at least one valid email address' });
    const content = body.Content ?? {};
    if (typeof content.From !== 'string' || !addressOf(content.From)) return answer(res, 400, { Error: 'Content.From is required: your email with an optional name' });
    if (!Array.isArray(content.Body) || content.Body.length === 0 || !content.Body.every((p: any) => BODY_TYPES.has(p?.ContentType) && typeof p.Content === 'string')) {
      return answer(res, 400, { Error: 'Content.Body must list body parts with ContentType HTML, PlainText, AMP or CSS' });
    }
    if (content.Headers !== undefined && (typeof content.Headers !== 'object' || Object.values(content.Headers).some((v) => typeof v !== 'string'))) {
      return answer(res, 400, { Error: 'Content.Headers must be a collection of header names to text values' });
    }
    const failure = failures.shift();
    if (failure) {
      const [status, words, headers] = FAILURES[failure];
      return answer(res, status, { Error: words }, headers);
    }
    const entry = { body, headers: req.headers, transactionId: crypto.randomUUID(), messageId: crypto.randomUUID().replace(/-/g, '').slice(0, 22) };
    received.push(entry);
    answer(res, 200, { TransactionID: entry.transactionId, MessageID: entry.messageId });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}/v4`,
    received,
    statuses,
    requests,
    accepted() {
      return received.map(({ body }) => {
        const parts = body.Content.Body as { ContentType: string; Content: string }[];
        const headers = Object.fromEntries(Object.entries((body.Content.Headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
        return {
          to: addressOf(body.Recipients.To[0])!,
          from: addressOf(body.Content.From)!,
          subject: String(body.Content.Subject ?? ''),
          html: parts.find((p) => p.ContentType === 'HTML')?.Content ?? null,
          text: parts.find((p) => p.ContentType === 'PlainText')?.Content ?? '',
          headers,
        };
      });
    },
    failNext(failure) {
      failures.push(failure);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
