// SendGrid's Event Webhook: a JSON array of events per POST, signed (when the Signed Event
// Webhook is on) with ECDSA P-256 / SHA-256 over the timestamp header followed by the raw
// body, exactly as sent: SendGrid's body ends with CRLF, and that CRLF is signed too.
import { z } from 'zod';
import { MESSAGE_ID_FIELD } from '../drivers/message-marks';
import { MAX_DIAGNOSTIC, type BounceClass, type DeliveryEvent } from '../feedback/delivery-event';
import { WebhookPayloadError, type RelayWebhook, type WebhookContext } from './relay-webhook';
import { messageIdOf } from './payload-fields';

export const SENDGRID_SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
export const SENDGRID_TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp';

/**
 * How far the signed timestamp may be from our clock, either way. SendGrid stamps the
 * moment it posts (its vectors sign ten seconds after the events), so a genuine request is
 * always recent, and a captured one cannot be replayed later (a replayed hard bounce would
 * otherwise suppress again an address the marketer has since let back).
 */
export const SENDGRID_TIMESTAMP_WINDOW_MS = 5 * 60_000;

/** Every P-256 public key in DER SubjectPublicKeyInfo form starts with these 27 bytes (algorithm ids, then an uncompressed point). */
const P256_SPKI_PREFIX = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE';
const P256_SPKI_BYTES = 91;

export type SendgridConfig = { publicKey: string };

/**
 * Converts an ECDSA signature from DER (`SEQUENCE { INTEGER r, INTEGER s }`, what SendGrid
 * sends) to IEEE P1363 (`r || s`, each `size` bytes, what WebCrypto verifies). Returns null
 * for anything that is not strict DER with integers that fit.
 */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array<ArrayBuffer> | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(2 * size);
  let offset = 2;
  for (const half of [0, 1]) {
    if (der[offset] !== 0x02) return null;
    const length = der[offset + 1]!;
    const start = offset + 2;
    const end = start + length;
    if (length === 0 || end > der.length) return null;
    // Positive, and minimal: a leading zero only where the next byte would read as a sign.
    if (der[start]! & 0x80) return null;
    if (der[start] === 0 && length > 1 && !(der[start + 1]! & 0x80)) return null;
    const value = der[start] === 0 && length > 1 ? der.subarray(start + 1, end) : der.subarray(start, end);
    if (value.length > size) return null;
    out.set(value, half * size + size - value.length);
    offset = end;
  }
  return offset === der.length ? out : null;
}

function decodeBase64(text: string | null): Uint8Array<ArrayBuffer> | null {
  if (!text || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * The DER bytes of a base64 P-256 public key, or null. Checked here because some WebCrypto
 * implementations (Node's) import a key with bytes trailing after it, so a mangled key
 * would still verify on one runtime and not on another.
 */
function p256Spki(publicKey: string): Uint8Array<ArrayBuffer> | null {
  const der = publicKey.startsWith(P256_SPKI_PREFIX) ? decodeBase64(publicKey) : null;
  return der?.length === P256_SPKI_BYTES ? der : null;
}

/** The saved key imported for verifying, cached per isolate; null when it does not import. */
async function verificationKey(publicKey: string, cache: WebhookContext['keyCache']): Promise<CryptoKey | null> {
  const cacheKey = `sendgrid:${publicKey}`;
  let key = cache.get(cacheKey);
  if (!key) {
    const der = p256Spki(publicKey);
    key = der ? crypto.subtle.importKey('spki', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']) : Promise.reject(new Error('not a P-256 public key'));
    cache.set(cacheKey, key);
  }
  try {
    return await key;
  } catch {
    cache.delete(cacheKey);
    return null;
  }
}

type SendgridEvent = Record<string, unknown>;

/** What a bounce means: SendGrid's classification where it gives one, else its bounce type. */
function bounceClassOf(item: SendgridEvent): BounceClass {
  const classification = text(item.bounce_classification)?.toLowerCase();
  // Only a bad address is the address's fault for good; full or disabled mailboxes,
  // reputation, content and technical failures retire it only when repeated.
  if (classification) return classification.startsWith('invalid') ? 'hard' : 'soft';
  return item.type === 'blocked' ? 'soft' : 'hard';
}

/** The event's type and class in our terms, or null for events we do not act on (processed, resubscribes...). */
function kindOf(item: SendgridEvent): Pick<DeliveryEvent, 'type' | 'bounceClass'> | null {
  switch (item.event) {
    case 'delivered':
      return { type: 'delivered' };
    case 'bounce':
      return { type: 'bounce', bounceClass: bounceClassOf(item) };
    case 'dropped':
      // Dropped because the address bounced before: SendGrid's bounce list holds hard bounces.
      return item.reason === 'Bounced Address' ? { type: 'dropped', bounceClass: 'hard' } : { type: 'dropped' };
    case 'deferred':
      return { type: 'deferred' };
    case 'open':
      return { type: 'open' };
    case 'click':
      return { type: 'click' };
    case 'spamreport':
      return { type: 'complaint' };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { type: 'unsubscribe' };
    default:
      return null;
  }
}

function eventOf(item: SendgridEvent, index: number): DeliveryEvent | null {
  const kind = kindOf(item);
  if (!kind) return null;
  const seconds = typeof item.timestamp === 'string' && /^\d+$/.test(item.timestamp) ? Number(item.timestamp) : item.timestamp;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) throw new WebhookPayloadError(`event ${index}: timestamp must be the event time in epoch seconds`);
  const recipient = typeof item.email === 'string' ? item.email.trim().toLowerCase() : '';
  const words = text(item.reason) ?? text(item.response);
  return {
    source: 'sendgrid',
    key: keyOf(item, recipient),
    ...kind,
    messageId: messageIdOf(item[MESSAGE_ID_FIELD]),
    // sg_message_id is the X-Message-Id the driver stored, followed by `.` and a filter suffix.
    providerMessageId: text(item.sg_message_id)?.split('.')[0],
    recipient,
    occurredAt: Math.round(seconds * 1000),
    status: kind.type === 'bounce' || kind.type === 'dropped' ? text(item.status) : undefined,
    diagnostic: kind.type === 'delivered' ? undefined : words?.slice(0, MAX_DIAGNOSTIC),
    url: kind.type === 'click' ? text(item.url) : undefined,
    userAgent: kind.type === 'open' || kind.type === 'click' ? text(item.useragent) : undefined,
    machine: kind.type === 'open' && typeof item.sg_machine_open === 'boolean' ? item.sg_machine_open : undefined,
    detail: detailOf(item),
  };
}

/**
 * `sendgrid:<sg_event_id>:<event>`. SendGrid documents sg_event_id as unique per event; the
 * event name rides along because its own batch sample gives a drop and a click one id, and a
 * redelivery carries both unchanged. An event without an id is keyed by the fields that
 * make it unique.
 */
function keyOf(item: SendgridEvent, recipient: string): string {
  const id = text(item.sg_event_id);
  if (id) return `sendgrid:${id}:${String(item.event)}`;
  const message = text(item.sg_message_id) ?? text(item['smtp-id']) ?? '';
  return ['sendgrid', String(item.event), message, recipient, String(item.timestamp), text(item.url) ?? ''].join(':');
}

function detailOf(item: SendgridEvent): DeliveryEvent['detail'] {
  if (item.event === 'bounce') return { bounceType: text(item.type) ?? 'bounce', classification: text(item.bounce_classification) ?? null };
  if (item.event === 'deferred') return { attempt: Number(item.attempt) || null };
  if (item.event === 'group_unsubscribe') return { asmGroupId: typeof item.asm_group_id === 'number' ? item.asm_group_id : null };
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function readBatch(body: Uint8Array): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new WebhookPayloadError('the body is not JSON: SendGrid posts a JSON array of events');
  }
  if (!Array.isArray(value)) throw new WebhookPayloadError('expected a JSON array of events, as SendGrid\'s Event Webhook posts');
  return value;
}

/** Strips PEM armour and line breaks, so the key can be pasted either way. */
function normalizeKey(text: string): string {
  return text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
}

export const sendgridWebhook: RelayWebhook<SendgridConfig, Record<string, never>> = {
  provider: 'sendgrid',
  settings: {
    description: 'SendGrid: config publicKey (Settings, Mail Settings, Event Webhook: turn on Signed Event Webhook and copy the Verification Key).',
    config: z.strictObject({
      publicKey: z
        .string('publicKey is required: the Verification Key SendGrid shows for the Signed Event Webhook')
        .transform(normalizeKey)
        .refine((key) => p256Spki(key) !== null, {
          error: `publicKey must be the Verification Key SendGrid shows for the Signed Event Webhook (base64, starting ${P256_SPKI_PREFIX})`,
        }),
    }),
    secrets: z.strictObject({}),
  },

  async authenticate(request, sources, context) {
    const timestamp = request.headers.get(SENDGRID_TIMESTAMP_HEADER);
    const der = decodeBase64(request.headers.get(SENDGRID_SIGNATURE_HEADER));
    if (!der || !timestamp || !/^[0-9]{1,12}$/.test(timestamp)) {
      return { ok: false, reason: `no ${SENDGRID_SIGNATURE_HEADER} and ${SENDGRID_TIMESTAMP_HEADER} headers (turn on the Signed Event Webhook in SendGrid)` };
    }
    const signature = derToP1363(der);
    if (!signature) return { ok: false, reason: 'the signature header is not a DER-encoded ECDSA P-256 signature' };
    if (Math.abs(context.now() - Number(timestamp) * 1000) > SENDGRID_TIMESTAMP_WINDOW_MS) {
      return { ok: false, reason: `the signed timestamp ${timestamp} is more than 5 minutes from now (a replay, or a clock to set right)` };
    }
    const stamp = new TextEncoder().encode(timestamp);
    const signed = new Uint8Array(stamp.length + request.body.length);
    signed.set(stamp);
    signed.set(request.body, stamp.length);
    for (const source of sources) {
      const key = await verificationKey(source.config.publicKey, context.keyCache);
      if (key && (await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, signed))) return { ok: true, source };
    }
    return { ok: false, reason: 'the signature matches no saved verification key' };
  },

  parse(request) {
    const events: DeliveryEvent[] = [];
    readBatch(request.body).forEach((item, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new WebhookPayloadError(`event ${index} is not a JSON object`);
      const event = eventOf(item as SendgridEvent, index);
      if (event) events.push(event);
    });
    return { events };
  },
};
