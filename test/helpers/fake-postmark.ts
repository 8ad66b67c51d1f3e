// A local server that answers like Postmark's API (POST /email, GET /server, GET
// /message-streams/:id, GET /messages/outbound/:id/details) and checks what Postmark
// checks: the X-Postmark-Server-Token, JSON in and out (Accept and Content-Type), the
// required fields, the Headers and Metadata shapes, TrackLinks' values. Refusals come as
// Postmark's `{ ErrorCode, Message }`, with its codes (10, 300, 402, 406, 409, 429).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHeaderMailbox } from '../../sender/mime/mailbox-header';
import type { AcceptedMessage, RelayFailure } from './driver-conformance';

export interface PostmarkAccepted extends AcceptedMessage {
  /** The MessageID the fake answered with. */
  messageId: string;
  body: Record<string, any>;
  requestHeaders: Record<string, string | string[] | undefined>;
}

export interface FakePostmark {
  url: string;
  serverToken: string;
  /** Message streams of the server: id → type. */
  streams: Record<string, 'Broadcasts' | 'Transactional'>;
  accepted: PostmarkAccepted[];
  /** Events GET /messages/outbound/:id/details lists, by MessageID (default: none). */
  events: Record<string, string[]>;
  failNext(failure: RelayFailure): void;
  close(): Promise<void>;
}

const TRACK_LINKS = new Set(['None', 'HtmlAndText', 'HtmlOnly', 'TextOnly']);

export async function startFakePostmark(options: { serverToken?: string } = {}): Promise<FakePostmark> {
  let nextFailure: RelayFailure | null = null;
  const fake: FakePostmark = {
    url: '',
    serverToken: options.serverToken ?? randomUUID(),
    streams: { outbound: 'Transactional', broadcast: 'Broadcasts' },
    accepted: [],
    events: {},
    failNext(failure) {
      nextFailure = failure;
    },
    close: async () => {},
  };

  function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
  const refuse = (res: ServerResponse, status: number, ErrorCode: number, Message: string, headers?: Record<string, string>) => answer(res, status, { ErrorCode, Message }, headers);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    if (req.headers['x-postmark-server-token'] !== fake.serverToken) {
      return refuse(res, 401, 10, 'Request does not contain a valid Server token. Please check that your Server token is correct.');
    }
    if (req.headers.accept !== 'application/json') return refuse(res, 422, 409, 'JSON required: set the Accept header to application/json.');
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/server') return answer(res, 200, { ID: 1, Name: 'Edgepost test server', ApiTokens: [fake.serverToken] });
    const stream = /^\/message-streams\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && stream) {
      const id = decodeURIComponent(stream[1]!);
      const type = fake.streams[id];
      // The fake does not claim Postmark's exact ErrorCode for an unknown stream.
      if (!type) return answer(res, 422, { Message: `The message stream for the provided 'ID' (${id}) was not found.` });
      return answer(res, 200, { ID: id, ServerID: 1, Name: id, MessageStreamType: type, CreatedAt: '2026-01-01T00:00:00Z', ArchivedAt: null });
    }
    const details = /^\/messages\/outbound\/([^/]+)\/details$/.exec(url.pathname);
    if (req.method === 'GET' && details) {
      const id = decodeURIComponent(details[1]!);
      const sent = fake.accepted.find((m) => m.messageId === id);
      if (!sent) return refuse(res, 422, 701, 'This message was not found.');
      return answer(res, 200, { MessageID: id, Status: 'Sent', To: [{ Email: sent.to }], MessageEvents: (fake.events[id] ?? []).map((Type) => ({ Type, Recipient: sent.to })) });
    }
    if (req.method !== 'POST' || url.pathname !== '/email') return refuse(res, 404, 0, 'Not found');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return refuse(res, 422, 409, 'JSON required: set the Content-Type header to application/json.');
    let mail: any;
    try {
      mail = JSON.parse(text);
    } catch {
      return refuse(res, 422, 402, 'Invalid JSON');
    }
    const problem = checkEmail(mail);
    if (problem) return refuse(res, 422, 300, problem);

    const failure = nextFailure;
    nextFailure = null;
    if (failure === 'rate_limited') return refuse(res, 429, 429, 'Rate limit exceeded. Please slow down.', { 'Retry-After': '3' });
    if (failure === 'unavailable') return refuse(res, 503, 100, 'Postmark is currently undergoing maintenance.');
    if (failure === 'recipient_rejected') {
      return refuse(res, 422, 406, `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${mail.To}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`);
    }

    const messageId = randomUUID();
    const to = parseHeaderMailbox(mail.To, 'To').address;
    fake.accepted.push({
      to,
      from: parseHeaderMailbox(mail.From, 'From').address,
      subject: mail.Subject,
      text: mail.TextBody ?? '',
      html: mail.HtmlBody ?? null,
      headers: Object.fromEntries((mail.Headers ?? []).map((h: { Name: string; Value: string }) => [h.Name.toLowerCase(), h.Value])),
      messageId,
      body: mail,
      requestHeaders: req.headers,
    });
    answer(res, 200, { To: mail.To, SubmittedAt: new Date().toISOString(), MessageID: messageId, ErrorCode: 0, Message: 'OK' });
  }

  /** Postmark's ErrorCode 300 checks ("Invalid email request"), in its words where known. */
  function checkEmail(mail: any): string | null {
    if (typeof mail !== 'object' || mail === null) return 'Invalid email request: the body must be a JSON object.';
    for (const field of ['From', 'To'] as const) {
      if (typeof mail[field] !== 'string') return `Invalid '${field}' address: missing.`;
      try {
        parseHeaderMailbox(mail[field], field);
      } catch {
        return `Invalid '${field}' address: '${mail[field]}'.`;
      }
    }
    if (typeof mail.Subject !== 'string') return 'Invalid email request: Subject is missing.';
    if (!mail.TextBody && !mail.HtmlBody) return 'Provide either email TextBody or HtmlBody or both.';
    if (mail.Headers !== undefined && !(Array.isArray(mail.Headers) && mail.Headers.every((h: any) => typeof h?.Name === 'string' && typeof h?.Value === 'string'))) {
      return "Invalid 'Headers': expected an array of { Name, Value } objects.";
    }
    if (mail.Metadata !== undefined && (typeof mail.Metadata !== 'object' || Object.values(mail.Metadata).some((v) => typeof v !== 'string' || v.length > 80))) {
      return "Invalid 'Metadata': values must be strings of at most 80 characters.";
    }
    if (mail.TrackLinks !== undefined && !TRACK_LINKS.has(mail.TrackLinks)) return `Invalid 'TrackLinks' value '${mail.TrackLinks}'.`;
    if (mail.TrackOpens !== undefined && typeof mail.TrackOpens !== 'boolean') return "Invalid 'TrackOpens' value: expected true or false.";
    if (mail.MessageStream !== undefined && !fake.streams[mail.MessageStream]) return `The message stream for the provided 'ID' (${mail.MessageStream}) was not found.`;
    return null;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => refuse(res, 500, 0, String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
