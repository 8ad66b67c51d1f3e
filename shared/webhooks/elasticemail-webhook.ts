// Elastic Email's HTTP web notifications (Settings > Notifications), as documented at
// https://help.elasticemail.com/en/articles/4804685-notification-settings: one event per
// request, sent with GET, its fields in the query string: `status` (Sent, Opened, Clicked,
// Error, AbuseReport, Unsubscribed), `to`, `from`, `date` (UTC, e.g. `12/22/2017 9:03:39 PM`,
// the form Mautic's ElasticemailTransportTest uses), `subject`, `channel`, `account`,
// `category` (why an Error happened: NoMailbox, AccountProblem, Spam...; meanings at
// https://help.elasticemail.com/en/articles/2300650-what-are-the-bounce-error-categories-and-filters),
// `messageid`, `transaction`, `target` (the clicked link) and `postback` (what the sender
// passed as Postback: our driver, sender/drivers/elasticemail.ts, passes our message id).
// "Sent" is Elastic Email's delivery confirmation: it has no separate Delivered status.
//
// Elastic Email does not sign notifications, so the marketer adds a secret to the URL
// (`/hooks/elasticemail?token=...`); it is compared as SHA-256 digests in constant time, so
// neither its bytes nor its length leak through timing. Assumed, not documented: the query
// keeps the token when Elastic Email appends its own fields; the GET with which Elastic Email
// checks a URL before saving it carries no fields; `date` may also come as ISO 8601.
import { z } from 'zod';
import type { BounceClass, DeliveryEvent, DeliveryEventType } from '../feedback/delivery-event';
import { constantTimeEqual } from '../tokens';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';
import { bareAddress, messageIdOf } from './payload-fields';

const elasticEmailSecrets = z.strictObject({
  token: z
    .string('token is required: the secret you append to the notification URL as ?token=...')
    .regex(/^[A-Za-z0-9._~-]{24,256}$/, 'token must be 24 to 256 letters, digits, ".", "_", "~" or "-" (it goes in a URL; try: openssl rand -hex 16)'),
});

type Secrets = z.output<typeof elasticEmailSecrets>;

/** Elastic Email's statuses, lower-cased; an Error becomes a bounce or a drop by its category. */
const EVENT_OF_STATUS = new Map<string, DeliveryEventType>([
  ['sent', 'delivered'],
  ['opened', 'open'],
  ['clicked', 'click'],
  ['error', 'bounce'],
  ['abusereport', 'complaint'],
  ['unsubscribed', 'unsubscribe'],
]);

/** Categories of an address that does not exist: the only hard bounces (the others are the sender's, the content's or the moment's). */
const HARD_CATEGORIES = new Set(['nomailbox', 'dnsproblem']);
/** Categories of a message Elastic Email did not send: the address was already blocked, or the send was cancelled. */
const NOT_SENT_CATEGORIES = new Set(['ignore', 'notdelivered', 'notdeliveredcancelled', 'manualcancel', 'suppressed']);

export const elasticEmailWebhook: RelayWebhook<Record<string, never>, Secrets> = {
  provider: 'elasticemail',
  settings: {
    description:
      'Elastic Email: secrets token (24+ URL-safe characters); set the notification URL to https://<edge>/hooks/elasticemail?token=<token> and notify on Sent, Opened, Clicked, Unsubscribed, Complaints and Bounce/Error.',
    config: z.strictObject({}),
    secrets: elasticEmailSecrets,
  },

  async authenticate(request, sources) {
    let token: string | null;
    try {
      token = new URL(request.url).searchParams.get('token');
    } catch {
      return { ok: false, reason: 'the request URL cannot be read' };
    }
    if (!token) return { ok: false, reason: 'the notification URL carries no ?token=' };
    const presented = await digest(token);
    for (const source of sources) {
      if (constantTimeEqual(presented, await digest(source.secrets.token))) return { ok: true, source };
    }
    return { ok: false, reason: 'the token matches no saved Elastic Email source' };
  },

  parse(request) {
    const fields = queryOf(request.url);
    fields.delete('token');
    // Elastic Email checks a notification URL by calling it (GET, expecting 200) before it saves it.
    if (request.method === 'GET' && fields.toString() === '') return { events: [] };
    const status = fields.get('status');
    if (!status) throw new WebhookPayloadError('The notification has no status: Elastic Email sends status=Sent, Opened, Clicked, Error, AbuseReport or Unsubscribed.');
    const listed = EVENT_OF_STATUS.get(status.toLowerCase());
    // Statuses Edgepost does not track are acknowledged, so Elastic Email does not retry them.
    return { events: listed ? [eventOf(listed, fields)] : [] };
  },
};

function eventOf(listed: DeliveryEventType, fields: URLSearchParams): DeliveryEvent {
  const category = fields.get('category') ?? '';
  const { type, bounceClass } = listed === 'bounce' ? classify(category) : { type: listed, bounceClass: undefined };
  const recipient = bareAddress(fields.get('to') ?? '');
  const date = fields.get('date') ?? '';
  const providerMessageId = fields.get('transaction') || fields.get('messageid') || undefined;
  const ref = fields.get('messageid') || fields.get('transaction') || fields.get('postback') || '';
  // Opens and clicks repeat for one message, so their time is part of them; a message has one
  // delivery, bounce or complaint per recipient, whatever the date of a resend says.
  const repeats = type === 'open' || type === 'click' || ref === '';
  const target = fields.get('target') ?? '';
  const event: DeliveryEvent = {
    source: 'elasticemail',
    key: `elasticemail:${type}:${ref}:${recipient}${repeats ? `:${date}` : ''}${type === 'click' ? `:${target}` : ''}`,
    type,
    recipient,
    occurredAt: parseDate(date),
  };
  if (bounceClass) event.bounceClass = bounceClass;
  const messageId = messageIdOf(fields.get('postback'));
  if (messageId !== undefined) event.messageId = messageId;
  if (providerMessageId) event.providerMessageId = providerMessageId;
  if (category && listed === 'bounce') {
    event.diagnostic = category;
    event.detail = { category };
  }
  if (type === 'click' && target) event.url = target;
  return event;
}

/** What an Error notification means, by its category; an unknown or missing category is a soft bounce. */
function classify(category: string): { type: DeliveryEventType; bounceClass?: BounceClass } {
  const name = category.toLowerCase();
  if (NOT_SENT_CATEGORIES.has(name)) return { type: 'dropped' };
  return { type: 'bounce', bounceClass: HARD_CATEGORIES.has(name) ? 'hard' : 'soft' };
}

/** The notification's fields: the query string of the URL Elastic Email called. */
function queryOf(url: string): URLSearchParams {
  try {
    return new URL(url).searchParams;
  } catch {
    throw new WebhookPayloadError('The request URL cannot be read.');
  }
}

/** Epoch ms of Elastic Email's UTC `M/D/YYYY h:mm:ss AM|PM` (or 24-hour, or ISO 8601 without zone meaning UTC). */
function parseDate(text: string): number {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s*([AP])M)?$/i.exec(text.trim());
  if (us) {
    const [, month, day, year, hour, minute, second, half] = us.map((part) => part ?? '');
    const hours = half ? (Number(hour) % 12) + (half.toUpperCase() === 'P' ? 12 : 0) : Number(hour);
    const at = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), hours, Number(minute), Number(second)));
    // Date.UTC rolls 2/31 over into March: only a date that reads back the same is one.
    if (at.getUTCMonth() === Number(month) - 1 && at.getUTCDate() === Number(day) && at.getUTCHours() === hours && Number(minute) < 60 && Number(second) < 60) return at.getTime();
  }
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i.exec(text.trim());
  if (iso) {
    const at = Date.parse(`${text.trim().replace(' ', 'T')}${iso[1] ? '' : 'Z'}`);
    if (Number.isFinite(at)) return at;
  }
  throw new WebhookPayloadError(`date ${JSON.stringify(text)} is not a date Edgepost can read (Elastic Email sends M/D/YYYY h:mm:ss AM/PM, in UTC).`);
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
