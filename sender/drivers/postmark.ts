// Postmark's /email API: structured, so Postmark builds the MIME and signs DKIM. Marketing
// mail goes through a broadcast message stream (Postmark's terms); our message id rides in
// `Metadata` (echoed in every webhook), and Postmark's own open and link tracking is off
// because Edgepost tracks itself. Postmark says what went wrong in an `ErrorCode`, which
// decides more than the HTTP status does (most refusals are a 422).
import type { z } from 'zod';
import { POSTMARK_API, type postmarkSettings } from '../../shared/drivers/postmark-settings';
import { checkMessage } from '../mime/check-message';
import { SendError } from '../send-error';
import type { ConfigProblem, DeliveryStatus, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { type HttpDriverDeps, fetchWithDeadline, retryAfterMs } from './http-request';
import { MESSAGE_ID_FIELD } from '../../shared/drivers/message-marks';

export interface PostmarkDriverOptions {
  config: z.output<typeof postmarkSettings.config>;
  secrets: z.output<typeof postmarkSettings.secrets>;
}

const capabilities: DriverCapabilities = {
  input: 'structured',
  // /email/batch takes 500, but one request per message keeps each outcome its own.
  batchSize: 1,
  tracksDelivery: true,
  signsDkim: true,
  deliveryStatus: true,
};

/** Postmark ErrorCodes that no message can get past: stop and let the marketer fix the server. */
const SERVER_PROBLEMS: Partial<Record<number, string>> = {
  400: 'the From address is not a confirmed Sender Signature or verified domain in Postmark',
  401: 'the From address\'s Sender Signature is not confirmed yet',
  405: 'Postmark does not allow this account to send (out of credits?)',
  412: 'the Postmark account is pending approval',
  413: 'the Postmark account may not send',
};

/** Makes a driver that sends through Postmark's /email API on one message stream. */
export function createPostmarkDriver({ config, secrets }: PostmarkDriverOptions, deps: HttpDriverDeps = {}): Driver {
  const base = (config.endpoint ?? POSTMARK_API).replace(/\/+$/, '');
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 30_000;

  function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    return fetchWithDeadline(doFetch, `${base}${path}`, {
      method,
      headers: {
        'X-Postmark-Server-Token': secrets.serverToken,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }, 'Postmark', timeoutMs);
  }

  /** The configured stream must exist on the server and be a broadcast stream. */
  async function checkStream(serverName: string): Promise<ConfigProblem[]> {
    const stream = config.messageStream;
    const response = await request('GET', `/message-streams/${encodeURIComponent(stream)}`).catch((err: Error) => err);
    if (response instanceof Error) return [{ path: 'config.messageStream', message: response.message }];
    const answer = parseJson(await response.text());
    if (!response.ok) {
      return [{ path: 'config.messageStream', message: `message stream "${stream}" does not exist on Postmark server "${serverName}" (${response.status}: ${words(answer, response)}); create a Broadcasts stream or name an existing one` }];
    }
    if (answer?.MessageStreamType !== 'Broadcasts') {
      return [{ path: 'config.messageStream', message: `message stream "${stream}" is a ${String(answer?.MessageStreamType ?? 'unknown')} stream; Postmark requires marketing mail to go through a Broadcasts stream` }];
    }
    if (answer.ArchivedAt) return [{ path: 'config.messageStream', message: `message stream "${stream}" is archived on Postmark server "${serverName}"; unarchive it or name another` }];
    return [];
  }

  return {
    name: 'postmark',
    async connect() {},
    async send(message: OutgoingMessage): Promise<SendResult> {
      const response = await request('POST', '/email', postmarkEmailBody(message, config.messageStream));
      const answer = parseJson(await response.text());
      // A 200 with a non-zero ErrorCode is a refusal too.
      if (!response.ok || answer?.ErrorCode !== 0) throw postmarkError(response, answer);
      const id = typeof answer.MessageID === 'string' ? answer.MessageID : null;
      return { providerMessageId: id, response: `${response.status} ${String(answer.Message ?? 'OK')}${id ? ` MessageID ${id}` : ''}` };
    },
    async getDeliveryStatus(providerMessageId: string): Promise<DeliveryStatus | null> {
      const response = await request('GET', `/messages/outbound/${encodeURIComponent(providerMessageId)}/details`);
      const answer = parseJson(await response.text());
      if (!response.ok) {
        if (response.status === 422 || response.status === 404) return 'unknown';
        throw postmarkError(response, answer);
      }
      const events: string[] = Array.isArray(answer?.MessageEvents) ? answer.MessageEvents.map((e: { Type?: unknown }) => String(e.Type)) : [];
      if (events.includes('Bounced')) return 'bounced';
      if (events.includes('Delivered')) return 'delivered';
      if (events.includes('Transient')) return 'deferred';
      return 'accepted';
    },
    getCapabilities: () => capabilities,
    async validateConfig(): Promise<ConfigProblem[]> {
      let response: Response;
      try {
        response = await request('GET', '/server');
      } catch (err) {
        return [{ path: config.endpoint ? 'config.endpoint' : 'secrets.serverToken', message: (err as Error).message }];
      }
      const answer = parseJson(await response.text());
      if (response.status === 401 || answer?.ErrorCode === 10) {
        return [{ path: 'secrets.serverToken', message: `the server token was refused by Postmark (${response.status}): ${words(answer, response)}. Use a Server API token, not an Account token.` }];
      }
      if (!response.ok) return [{ path: config.endpoint ? 'config.endpoint' : 'secrets.serverToken', message: `Postmark answered ${response.status} to GET /server: ${words(answer, response)}` }];
      return checkStream(typeof answer?.Name === 'string' ? answer.Name : 'this server');
    },
    async close() {},
  };
}

/** The /email body for one rendered message on a message stream. */
export function postmarkEmailBody(message: OutgoingMessage, messageStream: string): Record<string, unknown> {
  const { from, to } = checkMessage(message);
  const headers = [...Object.entries(message.headers), ['Message-ID', message.messageIdHeader]];
  return {
    From: mailbox(from),
    To: mailbox(to),
    Subject: message.subject,
    TextBody: message.text,
    ...(message.html === null ? {} : { HtmlBody: message.html }),
    Headers: headers.map(([Name, Value]) => ({ Name, Value })),
    TrackOpens: false,
    TrackLinks: 'None',
    Metadata: { [MESSAGE_ID_FIELD]: String(message.messageId) },
    MessageStream: messageStream,
  };
}

/** `"Name" <address>`: Postmark wants names with punctuation quoted and escaped. */
function mailbox({ name, address }: { name: string; address: string }): string {
  return name ? `"${name.replace(/[\\"]/g, '\\$&')}" <${address}>` : address;
}

/** A SendError from a Postmark refusal, in Postmark's words, by its ErrorCode first. */
function postmarkError(response: Response, answer: { ErrorCode?: unknown; Message?: unknown } | undefined): SendError {
  const status = response.status;
  const code = typeof answer?.ErrorCode === 'number' ? answer.ErrorCode : undefined;
  const message = `Postmark refused the message (${status}${code === undefined ? '' : `, ErrorCode ${code}`}): ${words(answer, response)}`;
  if (status === 401 || status === 403 || code === 10) return new SendError('EAUTH', message, status, 'http');
  if (code !== undefined && SERVER_PROBLEMS[code]) return new SendError('ECONFIG', `${SERVER_PROBLEMS[code]}. ${message}`, status, 'http');
  if (status === 429 || code === 429) return new SendError('ERATELIMIT', message, 429, 'http', retryAfterMs(response.headers.get('retry-after')));
  // ErrorCode 100: Postmark is in maintenance; whatever the status, try again later.
  if (status >= 500 || code === 100) return new SendError('ECONNECTION', message, status >= 500 ? status : 503, 'http', retryAfterMs(response.headers.get('retry-after')));
  // 406 inactive recipient (bounced, complained or unsubscribed at Postmark), 300 invalid
  // request: permanent for this message. A 200 with an ErrorCode counts as a 422.
  return new SendError(code === 406 ? 'EENVELOPE' : 'EMESSAGE', message, status < 400 ? 422 : status, 'http');
}

function words(answer: { Message?: unknown } | undefined, response: Response): string {
  return typeof answer?.Message === 'string' && answer.Message ? answer.Message : response.statusText || '(no details)';
}

// Postmark's answers are JSON objects; anything else (an HTML error page from a proxy) is not.
function parseJson(text: string): any {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
