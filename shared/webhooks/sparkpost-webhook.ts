// SparkPost's webhooks: a JSON array of `{ msys: { <category>: { type, ... } } }` per POST.
// SparkPost signs nothing; a webhook set to Basic Authentication sends the pair with every
// batch, checked like Postmark's (`authenticateBasic`).
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../feedback/delivery-event';
import { MESSAGE_ID_FIELD } from '../drivers/message-marks';
import { authenticateBasic, basicAuthSettings, type BasicAuthConfig, type BasicAuthSecrets } from './basic-auth';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';
import { enhancedStatus, messageIdOf } from './payload-fields';

type SparkpostEvent = Record<string, unknown>;
type Kind = Pick<DeliveryEvent, 'type' | 'bounceClass'>;

/**
 * A bounce by SparkPost's bounce class (support.sparkpost.com, "Bounce Classification
 * Codes"): its Hard classes suppress, its Admin classes are SparkPost's own refusals, and
 * replies that are no failure at all are no event. Every other class, Soft, Block and
 * Undetermined alike, is a soft bounce: not the address's fault unless it repeats.
 */
function bounceKind(bounceClass: number): Kind | null {
  switch (bounceClass) {
    case 10: // Invalid Recipient
    case 30: // Generic Bounce: No RCPT
      return { type: 'bounce', bounceClass: 'hard' };
    // Unsubscribe: the recipient's reply asks to be removed (SparkPost files it under Hard).
    // Honoured like our own unsubscribe link, and counted as an unsubscribe, not a bounce.
    case 90:
      return { type: 'unsubscribe' };
    case 25: // Admin Failure: SparkPost's policies refused to send
    case 26: // Smart Send Suppression
      return { type: 'dropped' };
    case 60: // Auto-Reply
    case 80: // Subscribe request
      return null;
    default:
      return { type: 'bounce', bounceClass: 'soft' };
  }
}

/** The event in our terms, or null for events we do not act on (injection, AMP, relay, ...). */
function kindOf(event: SparkpostEvent): Kind | null {
  switch (event.type) {
    case 'delivery':
      return { type: 'delivered' };
    case 'bounce':
    case 'out_of_band':
      return bounceKind(Number(event.bounce_class));
    case 'policy_rejection':
    case 'generation_failure':
    case 'generation_rejection':
      return { type: 'dropped' };
    case 'delay':
      return { type: 'deferred' };
    case 'spam_complaint':
      // ARF reports that are not complaints: a recipient's "not spam", a DMARC failure report.
      return event.fbtype === 'not-spam' || event.fbtype === 'auth-failure' ? null : { type: 'complaint' };
    case 'open':
    case 'initial_open':
      return { type: 'open' };
    case 'click':
      return { type: 'click' };
    case 'list_unsubscribe':
    case 'link_unsubscribe':
      return { type: 'unsubscribe' };
    default:
      return null;
  }
}

function eventOf(event: SparkpostEvent, index: number): DeliveryEvent | null {
  const kind = kindOf(event);
  if (!kind) return null;
  const eventId = text(event.event_id);
  if (!eventId) throw new WebhookPayloadError(`event ${index} (${String(event.type)}) has no event_id`);
  const recipient = (text(event.rcpt_to) ?? text(event.raw_rcpt_to) ?? '').toLowerCase();
  const words = text(event.raw_reason) ?? text(event.reason);
  const meta = isObject(event.rcpt_meta) ? event.rcpt_meta : {};
  return {
    source: 'sparkpost',
    // SparkPost documents event_id as unique per event; its published samples reuse one id
    // for a whole batch, so the type and recipient ride along, and a redelivery carries all three.
    key: `sparkpost:${eventId}:${String(event.type)}:${recipient}`,
    ...kind,
    messageId: messageIdOf(meta[MESSAGE_ID_FIELD]),
    // The driver stores the transmission id, which every event of the message carries.
    providerMessageId: text(event.transmission_id),
    recipient,
    occurredAt: timeOf(event.timestamp, index),
    status: words && kind.type !== 'delivered' ? enhancedStatus(words) : undefined,
    diagnostic: kind.type === 'delivered' ? undefined : words?.slice(0, MAX_DIAGNOSTIC),
    url: kind.type === 'click' ? text(event.target_link_url) : undefined,
    userAgent: kind.type === 'open' || kind.type === 'click' ? text(event.user_agent) : undefined,
    detail: detailOf(event),
  };
}

function detailOf(event: SparkpostEvent): DeliveryEvent['detail'] {
  const detail: Record<string, string | number> = {};
  const bounceClass = Number(event.bounce_class);
  if (event.bounce_class !== undefined && Number.isInteger(bounceClass)) detail.bounceClassCode = bounceClass;
  const errorCode = text(event.error_code);
  if (errorCode) detail.errorCode = errorCode;
  const feedbackType = text(event.fbtype);
  if (feedbackType) detail.feedbackType = feedbackType;
  return Object.keys(detail).length > 0 ? detail : undefined;
}

/** SparkPost's timestamp: epoch seconds as a string (its samples), or an ISO 8601 time. */
function timeOf(value: unknown, index: number): number {
  let at = NaN;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) at = Math.round(Number(value) * 1000);
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) at = Date.parse(value);
  if (!Number.isFinite(at) || at <= 0) throw new WebhookPayloadError(`event ${index}: timestamp must be epoch seconds or an ISO 8601 time`);
  return at;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The event object of one batch item; null for SparkPost's empty test item (`{ "msys": {} }`). */
function eventIn(item: unknown, index: number): SparkpostEvent | null {
  if (!isObject(item) || !isObject(item.msys)) throw new WebhookPayloadError(`item ${index} is not a SparkPost event ({ "msys": { ... } })`);
  const categories = Object.values(item.msys);
  if (categories.length === 0) return null;
  const event = categories[0];
  if (!isObject(event)) throw new WebhookPayloadError(`item ${index}: the msys category must hold an event object`);
  return event;
}

function readBatch(body: Uint8Array): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new WebhookPayloadError('the body is not JSON: SparkPost posts a JSON array of events');
  }
  if (!Array.isArray(value)) throw new WebhookPayloadError('expected a JSON array of { "msys": { ... } } items, as SparkPost posts');
  return value;
}

const settings = basicAuthSettings('SparkPost');

export const sparkpostWebhook: RelayWebhook<BasicAuthConfig, BasicAuthSecrets> = {
  provider: 'sparkpost',
  settings: {
    description: 'SparkPost: config username, secrets password (set the webhook\'s Authentication to Basic Authentication with this pair).',
    config: settings.config,
    secrets: settings.secrets,
  },
  authenticate: (request, sources) => authenticateBasic(request, sources),
  parse(request) {
    const events: DeliveryEvent[] = [];
    readBatch(request.body).forEach((item, index) => {
      const event = eventIn(item, index);
      const parsed = event ? eventOf(event, index) : null;
      if (parsed) events.push(parsed);
    });
    return { events };
  },
};
