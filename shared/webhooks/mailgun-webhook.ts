// Mailgun's webhooks: one JSON object per POST, `{ signature, "event-data" }`. The signature
// is an HMAC-SHA256, keyed with the HTTP webhook signing key, over timestamp + token only:
// the event data itself is not covered. What makes a captured request useless is the
// timestamp window and the token being accepted once.
import { z } from 'zod';
import { MAILGUN_MESSAGE_VARIABLE } from '../drivers/message-marks';
import { MAX_DIAGNOSTIC, type BounceClass, type DeliveryEvent } from '../feedback/delivery-event';
import { constantTimeEqual } from '../tokens';
import { WebhookPayloadError, type RelayWebhook, type WebhookRequest } from './relay-webhook';
import { enhancedStatus, messageIdOf } from './payload-fields';

/** How far a signed timestamp may be from our clock, either way (Mailgun's own advice). */
export const MAILGUN_TIMESTAMP_WINDOW_MS = 5 * 60_000;

export type MailgunSecrets = { signingKey: string };

type Json = Record<string, unknown>;

interface Signature {
  timestamp: string;
  token: string;
  /** The HMAC, decoded from hex. */
  mac: Uint8Array;
}

/** The signature block of the body, or null when it is missing or malformed. */
function signatureOf(body: Uint8Array): Signature | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return null;
  }
  const block = isObject(parsed) ? parsed.signature : undefined;
  if (!isObject(block)) return null;
  const { timestamp, token, signature } = block;
  if (typeof timestamp !== 'string' || !/^[0-9]{1,12}$/.test(timestamp)) return null;
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return null;
  const mac = Uint8Array.from(signature.match(/../g)!, (pair) => parseInt(pair, 16));
  return { timestamp, token, mac };
}

async function hmacSha256(key: string, data: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(data)));
}

/** What a `failed` event means for us: Mailgun's severity first, then its reason and the status. */
function failedEvent(data: Json, status: string | undefined): Pick<DeliveryEvent, 'type' | 'bounceClass'> {
  // Mailgun retries a temporary failure itself: the message may still arrive, so it is a
  // deferral, not a soft bounce counting towards retiring the address. When the retries run
  // out Mailgun reports a permanent failure (reason `old`), and that is the soft bounce.
  if (data.severity === 'temporary') return { type: 'deferred' };
  switch (data.reason) {
    // Not sent: the address is on one of Mailgun's suppression lists.
    case 'suppress-bounce':
      return { type: 'dropped', bounceClass: 'hard' };
    case 'suppress-unsubscribe':
    case 'suppress-complaint':
      return { type: 'dropped' };
    case 'old':
      return { type: 'bounce', bounceClass: 'soft' };
    default:
      return { type: 'bounce', bounceClass: bounceClassOf(status) };
  }
}

/**
 * A permanent failure is hard unless the status blames something other than the address:
 * a full mailbox (x.2.2), a message too big (x.2.3, x.3.4), a policy or security block (x.7.x),
 * or a temporary status. Without a status, Mailgun's "permanent" stands.
 */
function bounceClassOf(status: string | undefined): BounceClass {
  if (!status) return 'hard';
  return /^4\.|^5\.(2\.2|2\.3|3\.4|7\.\d+)$/.test(status) ? 'soft' : 'hard';
}

/** The event in our terms, or null for events we do not act on (accepted, stored, list events...). */
function kindOf(data: Json, status: string | undefined): Pick<DeliveryEvent, 'type' | 'bounceClass'> | null {
  switch (data.event) {
    case 'delivered':
      return { type: 'delivered' };
    case 'failed':
      return failedEvent(data, status);
    case 'rejected':
      return { type: 'dropped' };
    case 'complained':
      return { type: 'complaint' };
    case 'opened':
      return { type: 'open' };
    case 'clicked':
      return { type: 'click' };
    case 'unsubscribed':
      return { type: 'unsubscribe' };
    default:
      return null;
  }
}

/** The `event-data` as one delivery event, or null when it is not one we act on. */
function eventOf(data: Json): DeliveryEvent | null {
  const event = data.event;
  const delivery = isObject(data['delivery-status']) ? data['delivery-status'] : {};
  const status = text(delivery['enhanced-code']) ?? enhancedStatus(text(delivery.message) ?? '');
  const kind = kindOf(data, status);
  if (!kind) return null;
  const id = text(data.id);
  const seconds = data.timestamp;
  if (!id) throw new WebhookPayloadError(`the Mailgun ${String(event)} event has no event-data.id`);
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) throw new WebhookPayloadError('event-data.timestamp must be the event time in epoch seconds');
  const headers = isObject(data.message) && isObject(data.message.headers) ? data.message.headers : {};
  const variables = isObject(data['user-variables']) ? data['user-variables'] : {};
  const client = isObject(data['client-info']) ? data['client-info'] : {};
  const words = [text(delivery.message), text(delivery.description)].filter(Boolean).join(' / ');
  return {
    source: 'mailgun',
    // Mailgun's event id is unique only within a day, and its samples reuse one id for
    // different events: the type and the event's own second make the key unique anyway,
    // and a redelivery carries the same three.
    key: `mailgun:${id}:${kind.type}:${Math.floor(seconds)}`,
    ...kind,
    messageId: messageIdOf(variables[MAILGUN_MESSAGE_VARIABLE]),
    // The driver stores the Message-ID without angle brackets, as Mailgun's events name it.
    providerMessageId: text(headers['message-id'])?.replace(/^<|>$/g, ''),
    recipient: typeof data.recipient === 'string' ? data.recipient.trim().toLowerCase() : '',
    occurredAt: Math.round(seconds * 1000),
    status: kind.type === 'delivered' ? undefined : status,
    diagnostic: kind.type === 'delivered' || !words ? undefined : words.slice(0, MAX_DIAGNOSTIC),
    url: kind.type === 'click' ? text(data.url) : undefined,
    userAgent: kind.type === 'open' || kind.type === 'click' ? text(client['user-agent']) : undefined,
    detail: event === 'failed' || event === 'rejected' ? { reason: text(data.reason) ?? null, severity: text(data.severity) ?? null, code: numberOrNull(delivery.code) } : undefined,
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function readEventData(request: WebhookRequest): Json | null {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
  } catch {
    throw new WebhookPayloadError('the body is not JSON: Mailgun posts one JSON object, { signature, "event-data" }, per webhook');
  }
  if (!isObject(body)) throw new WebhookPayloadError('expected one JSON object with "signature" and "event-data", as Mailgun posts');
  const data = body['event-data'];
  if (data === undefined || data === null) return null;
  if (!isObject(data)) throw new WebhookPayloadError('"event-data" must be an object');
  return data;
}

export const mailgunWebhook: RelayWebhook<Record<string, never>, MailgunSecrets> = {
  provider: 'mailgun',
  settings: {
    description: 'Mailgun: secrets signingKey (Sending, Webhooks, HTTP webhook signing key).',
    config: z.strictObject({}),
    secrets: z.strictObject({
      signingKey: z
        .string('signingKey is required: the HTTP webhook signing key from Mailgun (Sending, Webhooks)')
        .trim()
        .min(1, 'signingKey is required: the HTTP webhook signing key from Mailgun (Sending, Webhooks)'),
    }),
  },

  async authenticate(request, sources, context) {
    const signature = signatureOf(request.body);
    if (!signature) return { ok: false, reason: 'no valid Mailgun signature block (signature.timestamp, token, signature) in the JSON body' };
    const signedAt = Number(signature.timestamp) * 1000;
    if (Math.abs(context.now() - signedAt) > MAILGUN_TIMESTAMP_WINDOW_MS) {
      return { ok: false, reason: `the signed timestamp ${signature.timestamp} is more than 5 minutes from now (a replay, or a clock to set right)` };
    }
    for (const source of sources) {
      const expected = await hmacSha256(source.secrets.signingKey, signature.timestamp + signature.token);
      if (!constantTimeEqual(expected, signature.mac)) continue;
      // Each token is accepted once (event-data is not signed, so a replayed signature must not
      // carry other events): the route claims it, only once the signature holds, so nobody can
      // burn a genuine token in advance. Remembered past the window (twice it), so clocks that
      // differ a little still agree.
      return { ok: true, source, replayKey: { key: `mailgun:${signature.token}`, expiresAt: signedAt + 2 * MAILGUN_TIMESTAMP_WINDOW_MS } };
    }
    return { ok: false, reason: 'the signature matches no saved signing key' };
  },

  parse(request) {
    const data = readEventData(request);
    const event = data ? eventOf(data) : null;
    return { events: event ? [event] : [] };
  },
};
