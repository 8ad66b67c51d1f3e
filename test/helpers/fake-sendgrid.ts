// A local server that answers like SendGrid's v3 API (POST /v3/mail/send, GET /v3/scopes)
// and checks what SendGrid checks: the Bearer key, a JSON body, the required fields, the
// headers SendGrid reserves, string-only custom_args. It answers in SendGrid's error shape
// (`{ errors: [{ message, field, help }] }`) and keeps what it accepted.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcceptedMessage, RelayFailure } from './driver-conformance';

export interface SendgridAccepted extends AcceptedMessage {
  /** The X-Message-Id the fake answered with. */
  xMessageId: string;
  /** The request body as sent. */
  body: Record<string, any>;
  /** The request's headers, names lower-cased. */
  requestHeaders: Record<string, string | string[] | undefined>;
}

export interface FakeSendgrid {
  /** Base URL, e.g. http://127.0.0.1:PORT, for the driver's `endpoint`. */
  url: string;
  apiKey: string;
  /** The scopes GET /v3/scopes lists for the key. */
  scopes: string[];
  accepted: SendgridAccepted[];
  /** The next mail send fails so. */
  failNext(failure: RelayFailure): void;
  close(): Promise<void>;
}

// "You may not overwrite the following reserved headers" (v3 Mail Send reference).
const RESERVED_HEADERS = new Set(['x-sg-id', 'x-sg-eid', 'received', 'dkim-signature', 'content-type', 'content-transfer-encoding', 'to', 'from', 'subject', 'reply-to', 'cc', 'bcc']);
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';

type Problem = { message: string; field: string | null; help?: string | null };

export async function startFakeSendgrid(options: { apiKey?: string; scopes?: string[] } = {}): Promise<FakeSendgrid> {
  let nextFailure: RelayFailure | null = null;
  const fake: FakeSendgrid = {
    url: '',
    apiKey: options.apiKey ?? `SG.${randomBytes(11).toString('base64url')}.${randomBytes(21).toString('base64url')}`,
    scopes: options.scopes ?? ['mail.send', 'scopes.read', 'user.profile.read'],
    accepted: [],
    failNext(failure) {
      nextFailure = failure;
    },
    close: async () => {},
  };

  function answer(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }
  const errors = (...problems: Problem[]) => ({ errors: problems.map((p) => ({ help: null, ...p })) });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.headers.authorization !== `Bearer ${fake.apiKey}`) {
      return answer(res, 401, errors({ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }));
    }
    if (req.method === 'GET' && req.url === '/v3/scopes') return answer(res, 200, { scopes: fake.scopes });
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') return answer(res, 404, errors({ field: null, message: 'resource not found' }));
    if (!fake.scopes.includes('mail.send')) return answer(res, 403, errors({ field: null, message: 'access forbidden' }));
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return answer(res, 415, errors({ field: null, message: 'Content-Type should be application/json.' }));
    let mail: any;
    try {
      mail = JSON.parse(body);
    } catch {
      return answer(res, 400, errors({ field: null, message: 'Bad Request' }));
    }
    const problems = checkMail(mail);
    if (problems.length > 0) return answer(res, 400, errors(...problems));

    const failure = nextFailure;
    nextFailure = null;
    if (failure === 'rate_limited') {
      const reset = Math.ceil(Date.now() / 1000) + 2;
      return answer(res, 429, errors({ field: null, message: 'too many requests' }), { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) });
    }
    if (failure === 'unavailable') return answer(res, 500, errors({ field: null, message: 'An internal server error occurred.' }));
    if (failure === 'recipient_rejected') {
      return answer(res, 400, errors({ field: 'personalizations.0.to.0.email', message: 'Does not contain a valid address.', help: `${HELP}#message.personalizations.to` }));
    }

    const xMessageId = randomBytes(16).toString('base64url').slice(0, 22);
    const content: { type: string; value: string }[] = mail.content;
    const headers = Object.fromEntries(Object.entries((mail.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    fake.accepted.push({
      to: mail.personalizations[0].to[0].email,
      from: mail.from.email,
      subject: mail.personalizations[0].subject ?? mail.subject,
      text: content.find((c) => c.type === 'text/plain')?.value ?? '',
      html: content.find((c) => c.type === 'text/html')?.value ?? null,
      headers,
      xMessageId,
      body: mail,
      requestHeaders: req.headers,
    });
    answer(res, 202, undefined, { 'X-Message-Id': xMessageId });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => answer(res, 500, errors({ field: null, message: String(err) })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

/** The checks of SendGrid's Mail Send validation that our requests could trip. */
function checkMail(mail: any): Problem[] {
  const problems: Problem[] = [];
  const need = (ok: boolean, field: string, message: string) => ok || problems.push({ field, message, help: `${HELP}#message.${field.replace(/\.\d+/g, '')}` });
  if (typeof mail !== 'object' || mail === null) return [{ field: null, message: 'Bad Request' }];
  need(Array.isArray(mail.personalizations) && mail.personalizations.length >= 1 && mail.personalizations.length <= 1000, 'personalizations', 'The personalizations field is required and must have at least one personalization.');
  for (const [i, p] of (Array.isArray(mail.personalizations) ? mail.personalizations : []).entries()) {
    need(Array.isArray(p?.to) && p.to.length > 0, `personalizations.${i}.to`, 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.');
    for (const [j, to] of (Array.isArray(p?.to) ? p.to : []).entries()) need(EMAIL.test(to?.email ?? ''), `personalizations.${i}.to.${j}.email`, 'Does not contain a valid address.');
    need(typeof (p?.subject ?? mail.subject) === 'string' && (p?.subject ?? mail.subject) !== '', 'subject', 'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.');
  }
  need(EMAIL.test(mail.from?.email ?? ''), 'from.email', 'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.');
  need(mail.from?.name === undefined || typeof mail.from.name === 'string', 'from.name', 'The from name must be a string.');
  const content = mail.content;
  need(Array.isArray(content) && content.length > 0 && content.every((c: any) => typeof c?.type === 'string' && typeof c?.value === 'string' && c.value !== ''), 'content', 'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.');
  if (Array.isArray(content) && content.some((c: any) => c?.type === 'text/plain')) need(content[0]?.type === 'text/plain', 'content.0.type', 'If present, text/plain must be first, followed by text/html, followed by any other content.');
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    need(!RESERVED_HEADERS.has(name.toLowerCase()), `headers.${name}`, `The header ${name} is reserved and cannot be set.`);
    need(typeof value === 'string', `headers.${name}`, 'Header values must be strings.');
  }
  for (const value of Object.values(mail.custom_args ?? {})) need(typeof value === 'string', 'custom_args', 'Custom args values must be strings.');
  return problems;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
