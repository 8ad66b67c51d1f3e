// Postmark's webhooks: one JSON record per POST (Delivery, Bounce, SpamComplaint, Open,
// Click, SubscriptionChange). Postmark signs nothing; the marketer puts a basic-auth pair in
// the webhook URL (https://user:password@…/hooks/postmark), Postmark sends it as an
// Authorization header, and we compare it in constant time. SparkPost works the same way
// and uses `authenticateBasic` from here.
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../feedback/delivery-event';
import { MESSAGE_ID_FIELD } from '../drivers/message-marks';
import { authenticateBasic, basicAuthSettings, type BasicAuthConfig, type BasicAuthSecrets } from './basic-auth';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';
import { enhancedStatus, messageIdOf } from './payload-fields';

type PostmarkRecord = Record<string, unknown>;

/** What each Bounce `Type` means for us (Postmark's bounce type list); absent types count as soft. */
const BOUNCE_TYPES: Record<string, 'hard' | 'soft' | 'deferred' | 'dropped' | 'complaint' | 'unsubscribe' | 'ignore'> = {
  HardBounce: 'hard',
  BadEmailAddress: 'hard',
  SoftBounce: 'soft',
  DnsError: 'soft',
  // Delivered, then blocked or filed as spam by the receiver: the content's or sender's fault, not the address's.
  SpamNotification: 'soft',
  VirusNotification: 'soft',
  ChallengeVerification: 'soft',
  Blocked: 'soft',
  DMARCPolicy: 'soft',
  Unknown: 'soft',
  // "Message delayed": Postmark is still trying.
  Transient: 'deferred',
  // Postmark refused to send it at all.
  ManuallyDeactivated: 'dropped',
  SMTPApiError: 'dropped',
  TemplateRenderingFailed: 'dropped',
  SpamComplaint: 'complaint',
  // The recipient replied asking to be removed: honoured like our own unsubscribe link.
  Unsubscribe: 'unsubscribe',
  // Replies and notices that say nothing about delivery.
  AutoResponder: 'ignore',
  Subscribe: 'ignore',
  AddressChange: 'ignore',
  OpenRelayTest: 'ignore',
  Unconfirmed: 'ignore',
  InboundError: 'ignore',
};

/** The record as a delivery event, or null when it says nothing we act on. */
const RECORDS: Record<string, (record: PostmarkRecord) => DeliveryEvent | null> = {
  Delivery(record) {
    const recipient = address(record.Recipient);
    return { ...common(record, 'DeliveredAt'), type: 'delivered', key: key('delivered', record.MessageID, recipient), recipient, diagnostic: diagnostic(record.Details) };
  },
  Bounce: bounceEvent,
  SpamComplaint(record) {
    return { ...common(record, 'BouncedAt'), type: 'complaint', key: key('complaint', requiredId(record)), recipient: address(record.Email), detail: { bounceType: text(record.Type) ?? null } };
  },
  Open(record) {
    const recipient = address(record.Recipient);
    return {
      ...common(record, 'ReceivedAt'),
      type: 'open',
      key: key('open', record.MessageID, recipient, record.ReceivedAt),
      recipient,
      userAgent: text(record.UserAgent),
      detail: { firstOpen: typeof record.FirstOpen === 'boolean' ? record.FirstOpen : null, platform: text(record.Platform) ?? null },
    };
  },
  Click(record) {
    const recipient = address(record.Recipient);
    const url = text(record.OriginalLink);
    return {
      ...common(record, 'ReceivedAt'),
      type: 'click',
      key: key('click', record.MessageID, recipient, record.ReceivedAt, url),
      recipient,
      url,
      userAgent: text(record.UserAgent),
      detail: { clickLocation: text(record.ClickLocation) ?? null, platform: text(record.Platform) ?? null },
    };
  },
  SubscriptionChange: subscriptionChangeEvent,
};

function bounceEvent(record: PostmarkRecord): DeliveryEvent | null {
  const bounceType = text(record.Type) ?? '';
  const meaning = Object.hasOwn(BOUNCE_TYPES, bounceType) ? BOUNCE_TYPES[bounceType]! : 'soft';
  if (meaning === 'ignore') return null;
  const details = text(record.Details);
  const shared = {
    ...common(record, 'BouncedAt'),
    recipient: address(record.Email),
    status: details ? enhancedStatus(details) : undefined,
    diagnostic: diagnostic(details ?? record.Description),
    detail: { bounceType, inactive: typeof record.Inactive === 'boolean' ? record.Inactive : null },
  };
  if (meaning === 'hard' || meaning === 'soft') return { ...shared, type: 'bounce', bounceClass: meaning, key: key('bounce', requiredId(record)) };
  return { ...shared, type: meaning, key: key(meaning, requiredId(record)) };
}

/**
 * A change to the stream's suppression list. Postmark suppresses after a hard bounce, a spam
 * complaint, or a manual suppression (the recipient's unsubscribe link, or the marketer):
 * each becomes the event it stands for. A reactivation is no event: an address comes back
 * only by the marketer's own choice here.
 */
function subscriptionChangeEvent(record: PostmarkRecord): DeliveryEvent | null {
  if (record.SuppressSending !== true) return null;
  const reason = text(record.SuppressionReason) ?? '';
  const recipient = address(record.Recipient);
  const type = reason === 'HardBounce' ? 'bounce' : reason === 'SpamComplaint' ? 'complaint' : 'unsubscribe';
  return {
    ...common(record, 'ChangedAt'),
    type,
    ...(type === 'bounce' ? { bounceClass: 'hard' as const } : {}),
    key: key(type, 'suppression', record.MessageID, recipient, record.ChangedAt),
    recipient,
    detail: { suppressionReason: reason || null, origin: text(record.Origin) ?? null },
  };
}

/** The fields every record shares: our message id, Postmark's, and when it happened. */
function common(record: PostmarkRecord, timeField: string): Pick<DeliveryEvent, 'source' | 'messageId' | 'providerMessageId' | 'occurredAt'> {
  const metadata = record.Metadata;
  const ours = metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>)[MESSAGE_ID_FIELD] : undefined;
  return { source: 'postmark', messageId: messageIdOf(ours), providerMessageId: text(record.MessageID), occurredAt: isoTime(record[timeField], timeField) };
}

/** Postmark's own id for Bounce and SpamComplaint records; unique per bounce, so it is the key. */
function requiredId(record: PostmarkRecord): string {
  const id = record.ID;
  if ((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id !== '')) return String(id);
  throw new WebhookPayloadError(`a Postmark ${String(record.RecordType)} record must carry its ID`);
}

/** `postmark:<type>:<parts>`: the record's id, or the fields that make an id-less record unique. */
function key(type: string, ...parts: unknown[]): string {
  return ['postmark', type, ...parts.map((part) => (part === undefined || part === null ? '' : String(part)))].join(':');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function address(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

function diagnostic(value: unknown): string | undefined {
  const words = typeof value === 'string' ? value.trim() : '';
  return words ? words.slice(0, MAX_DIAGNOSTIC) : undefined;
}

function isoTime(value: unknown, field: string): number {
  const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) throw new WebhookPayloadError(`${field} must be an ISO 8601 time, got ${JSON.stringify(value)?.slice(0, 60)}`);
  return at;
}

/** The body as one JSON object, or a WebhookPayloadError that says what arrived instead. */
function readRecord(body: Uint8Array): PostmarkRecord {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new WebhookPayloadError('the body is not JSON: Postmark posts one JSON record per webhook');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as PostmarkRecord).RecordType !== 'string') {
    throw new WebhookPayloadError('expected one Postmark webhook record, a JSON object with a RecordType (Delivery, Bounce, SpamComplaint, Open, Click, SubscriptionChange)');
  }
  return value as PostmarkRecord;
}

const settings = basicAuthSettings('Postmark');

export const postmarkWebhook: RelayWebhook<BasicAuthConfig, BasicAuthSecrets> = {
  provider: 'postmark',
  settings: {
    description: 'Postmark: config username, secrets password (the basic-auth pair you put in the webhook URL, https://username:password@…/hooks/postmark).',
    config: settings.config,
    secrets: settings.secrets,
  },
  authenticate: (request, sources) => authenticateBasic(request, sources),
  parse(request) {
    const record = readRecord(request.body);
    // Record types Postmark adds later are acknowledged and ignored, not refused (a refusal is retried for days).
    const type = record.RecordType as string;
    const event = Object.hasOwn(RECORDS, type) ? RECORDS[type]!(record) : null;
    return { events: event ? [event] : [] };
  },
};
