// A local stand-in for the Amazon SES API v2 that checks what SES checks. It verifies each
// request's SigV4 signature with its own implementation, written from the AWS spec on
// node:crypto (not the signer the driver uses), and answers in SES's REST-JSON error shape:
// the type in x-amzn-ErrorType, the words in {"message"}.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptedFromMime, type AcceptedMessage, type RelayFailure } from './driver-conformance';

export interface SesCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One SendEmail request as SES received it (the raw MIME decoded). */
export interface SesReceived {
  body: Record<string, any>;
  raw: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeSes {
  /** The driver's `endpoint` setting. */
  endpoint: string;
  region: string;
  received: SesReceived[];
  configurationSets: Set<string>;
  /** Requests refused before any operation ran (bad signature, unknown key), by error type. */
  refused: string[];
  accepted(): Promise<AcceptedMessage[]>;
  failNext(failure: RelayFailure): void;
  close(): Promise<void>;
}

const FAILURES: Record<RelayFailure, [number, string, string]> = {
  rate_limited: [429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'],
  unavailable: [503, 'ServiceUnavailable', 'Service is unavailable. Please try again later.'],
  recipient_rejected: [400, 'MessageRejected', 'Email address is not verified. The following identities failed the check in region US-EAST-1: zoe10@example.org'],
};

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface Verdict {
  ok: boolean;
  type?: string;
  message?: string;
}

/** What the verifier needs of a request: Node's IncomingMessage has this shape. */
export interface SignedRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** Checks a request's SigV4 Authorization header against the known credentials (exported for its test). */
export function verifySignature(req: SignedRequest, body: Buffer, region: string, known: SesCredentials, service = 'ses', now = Date.now()): Verdict {
  const auth = String(req.headers.authorization ?? '');
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!match) return { ok: false, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, keyId, date, scopeRegion, scopeService, signedHeaders, signature] = match as unknown as string[];
  if (keyId !== known.accessKeyId) return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeService !== service || scopeRegion !== region) {
    return { ok: false, type: 'SignatureDoesNotMatch', message: `Credential should be scoped to a valid region and service: expected ${region}/${service}, got ${scopeRegion}/${scopeService}.` };
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { ok: false, type: 'IncompleteSignatureException', message: 'Date must be in ISO-8601 basic format and match the credential scope.' };
  const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - at) > 5 * 60_000) return { ok: false, type: 'InvalidSignatureException', message: 'Signature expired: the request time is more than 5 minutes from the server time.' };
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return { ok: false, type: 'SignatureDoesNotMatch', message: 'host and x-amz-date must be signed.' };
  if (known.sessionToken !== undefined && (req.headers['x-amz-security-token'] !== known.sessionToken || !names.includes('x-amz-security-token'))) {
    return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }

  const url = new URL(req.url ?? '/', 'http://fake');
  const path = url.pathname.split('/').map((s) => uriEncode(decodeURIComponent(s))).join('/');
  const query = [...url.searchParams].map(([k, v]) => [uriEncode(k), uriEncode(v)] as const).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  const headerLines = names.map((name) => {
    const value = req.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(',') : String(value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  // The payload hash is of the bytes that arrived, so a body changed in transit fails too.
  const canonical = [req.method, path, query, headerLines.join(''), signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${known.secretAccessKey}`, date!), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  if (expected !== signature) {
    return { ok: false, type: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' };
  }
  return { ok: true };
}

function answer(res: ServerResponse, status: number, body: unknown, type?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID(), ...(type ? { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` } : {}) });
  res.end(JSON.stringify(body));
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeSes(credentials: SesCredentials, region = 'us-east-1'): Promise<FakeSes> {
  const received: SesReceived[] = [];
  const refused: string[] = [];
  const failures: RelayFailure[] = [];
  const configurationSets = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const verdict = verifySignature(req, body, region, credentials);
    if (!verdict.ok) {
      refused.push(verdict.type!);
      return answer(res, verdict.type === 'UnrecognizedClientException' || verdict.type === 'SignatureDoesNotMatch' || verdict.type === 'InvalidSignatureException' ? 403 : 400, { message: verdict.message }, verdict.type);
    }
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'GET' && path === '/v2/email/account') {
      return answer(res, 200, { DedicatedIpAutoWarmupEnabled: false, EnforcementStatus: 'HEALTHY', ProductionAccessEnabled: true, SendingEnabled: true, SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: received.length } });
    }
    const set = /^\/v2\/email\/configuration-sets\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && set) {
      const name = decodeURIComponent(set[1]!);
      if (!configurationSets.has(name)) return answer(res, 404, { message: `Configuration set <${name}> does not exist.` }, 'NotFoundException');
      return answer(res, 200, { ConfigurationSetName: name });
    }
    if (req.method === 'POST' && path === '/v2/email/outbound-emails') return sendEmail(req, res, body);
    return answer(res, 404, { message: `No operation at ${req.method} ${path}` }, 'UnknownOperationException');
  }

  function sendEmail(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return answer(res, 400, { message: 'Content-Type must be application/json' }, 'SerializationException');
    let input: Record<string, any>;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return answer(res, 400, { message: 'Unable to parse the request body as JSON' }, 'SerializationException');
    }
    const data = input.Content?.Raw?.Data;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return answer(res, 400, { message: 'Content.Raw.Data must be the base64 of the MIME message' }, 'BadRequestException');
    if (input.ConfigurationSetName !== undefined && !configurationSets.has(input.ConfigurationSetName)) {
      return answer(res, 404, { message: `Configuration set <${input.ConfigurationSetName}> does not exist.` }, 'NotFoundException');
    }
    for (const tag of input.EmailTags ?? []) {
      if (!/^[A-Za-z0-9_-]{1,256}$/.test(String(tag?.Name)) || !/^[A-Za-z0-9_-]{1,256}$/.test(String(tag?.Value))) {
        return answer(res, 400, { message: 'Message tags may contain only ASCII letters, digits, underscores and dashes.' }, 'BadRequestException');
      }
    }
    const failure = failures.shift();
    if (failure) {
      const [status, type, message] = FAILURES[failure];
      return answer(res, status, { message }, type);
    }
    received.push({ body: input, raw: Buffer.from(data, 'base64'), headers: req.headers });
    answer(res, 200, { MessageId: `0100018c-${crypto.randomUUID()}-000000` });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err) => answer(res, 500, { message: String(err) }, 'InternalFailure'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    received,
    configurationSets,
    refused,
    async accepted() {
      return Promise.all(
        received.map(({ body, raw }) => acceptedFromMime(String(body.Destination?.ToAddresses?.[0]), raw)),
      );
    },
    failNext(failure) {
      failures.push(failure);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
