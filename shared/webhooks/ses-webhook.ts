// Amazon SES events through an SNS topic: SES publishes either identity notifications
// (`notificationType`: Bounce, Complaint, Delivery) or configuration-set events (`eventType`:
// also Open, Click, DeliveryDelay, Reject, Rendering Failure, Subscription, Send) to SNS,
// which POSTs them here signed. A request is accepted only when its topic is one the
// marketer saved and its SNS signature holds (sns-signature.ts).
//
// Event keys come from the SES event, not from the SNS envelope: SNS redelivery keeps its
// MessageId, but the same SES event reaches us under another MessageId when it is published
// to two topics (identity notifications and a configuration set), and the key must stay one.
// Bounces and complaints carry SES's feedbackId; other events are keyed by the SES message
// id plus the event's own timestamp; the SNS MessageId is the fallback when those are absent.
import { z } from 'zod';
import { MESSAGE_ID_FIELD, MESSAGE_ID_HEADER } from '../drivers/message-marks';
import { MAX_DIAGNOSTIC, type BounceClass, type DeliveryEvent, type DeliveryEventType } from '../feedback/delivery-event';
import { WebhookPayloadError, type ParsedWebhook, type RelayWebhook, type WebhookSource } from './relay-webhook';
import { bareAddress, messageIdOf } from './payload-fields';
import { parseSnsEnvelope, snsHostUrl, snsTopicRegion, verifySnsSignature, type SnsEnvelope } from './sns-signature';

const sesConfig = z.strictObject({
  topicArns: z
    .array(
      z
        .string('each topic ARN must be a string')
        .trim()
        .refine((arn) => snsTopicRegion(arn) !== null, 'each topic ARN must look like arn:aws:sns:eu-west-1:123456789012:ses-events (copy it from the SNS console)'),
      'topicArns must be a list of SNS topic ARNs',
    )
    .min(1, 'topicArns needs at least one SNS topic ARN: the topic your SES notifications or configuration-set events publish to'),
});

type SesConfig = z.output<typeof sesConfig>;
type Json = Record<string, unknown>;

export const sesWebhook: RelayWebhook<SesConfig, Record<string, never>> = {
  provider: 'ses',
  settings: {
    description:
      'Amazon SES through SNS: config topicArns (the SNS topics your SES notifications or configuration-set events publish to); subscribe this URL to each topic over HTTPS with raw message delivery off, and Edgepost confirms the subscription itself.',
    config: sesConfig,
    secrets: z.strictObject({}),
  },

  async authenticate(request, sources, context) {
    let envelope: SnsEnvelope;
    try {
      envelope = parseSnsEnvelope(request.body);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    // Checked before the signature, so a stranger's topic never makes us fetch a certificate.
    const source = sources.find((s) => s.config.topicArns.includes(envelope.TopicArn));
    if (!source) return { ok: false, reason: `topic ${envelope.TopicArn} is not in the topicArns of any saved SES source` };
    const verdict = await verifySnsSignature(envelope, context);
    return verdict.ok ? { ok: true, source } : verdict;
  },

  parse(request, source) {
    const envelope = parseSnsEnvelope(request.body);
    if (envelope.Type === 'SubscriptionConfirmation') return subscriptionConfirmation(envelope, source);
    if (envelope.Type === 'UnsubscribeConfirmation') return { events: [] };
    let message: unknown;
    try {
      message = JSON.parse(envelope.Message);
    } catch {
      throw new WebhookPayloadError('The SNS Message is not JSON: publish only SES notifications or events to this topic.');
    }
    if (!isObject(message) || (typeof message.eventType !== 'string' && typeof message.notificationType !== 'string')) {
      throw new WebhookPayloadError('The SNS Message is not an SES notification or event (it has no notificationType or eventType).');
    }
    return { events: sesEvents(message, envelope) };
  },
};

/** The SubscribeURL to GET, once the topic is the source's and the URL is SNS's own ConfirmSubscription in the topic's region. */
function subscriptionConfirmation(envelope: SnsEnvelope, source: WebhookSource<SesConfig>): ParsedWebhook {
  if (!source.config.topicArns.includes(envelope.TopicArn)) throw new WebhookPayloadError(`Topic ${envelope.TopicArn} is not in this source's topicArns.`);
  const region = snsTopicRegion(envelope.TopicArn);
  const url = region ? snsHostUrl(envelope.SubscribeURL ?? '', region) : null;
  if (!url || url.searchParams.get('Action') !== 'ConfirmSubscription') {
    throw new WebhookPayloadError(`SubscribeURL is not an SNS ConfirmSubscription URL on https://sns.${region}.amazonaws.com; the subscription is left unconfirmed.`);
  }
  return { events: [], confirmSubscriptionUrl: envelope.SubscribeURL! };
}

/** What every event of one SES message shares. */
interface Basis {
  mail: Json;
  envelope: SnsEnvelope;
  messageId?: number;
  providerMessageId?: string;
}

/** What one kind of SES event says, before it is split per recipient. */
interface Happening {
  type: DeliveryEventType;
  /** The event's own timestamp, as SES wrote it (part of some keys). */
  at: unknown;
  /** What identifies the event at SES apart from its recipient; undefined falls back to the SNS MessageId. */
  ref: string | undefined;
  recipients: { address: string; status?: unknown; diagnostic?: unknown }[];
  bounceClass?: BounceClass;
  diagnostic?: unknown;
  url?: unknown;
  userAgent?: unknown;
  detail?: Record<string, unknown>;
}

/** One delivery event per recipient of an SES notification or configuration-set event; none for kinds Edgepost does not track (Send, Received). */
function sesEvents(message: Json, envelope: SnsEnvelope): DeliveryEvent[] {
  const mail = objectAt(message, 'mail');
  const basis: Basis = { mail, envelope, messageId: ourMessageId(mail), providerMessageId: stringAt(mail, 'messageId') };
  const kind = String(message.eventType ?? message.notificationType);
  const happening = Object.hasOwn(readers, kind) ? readers[kind]!(message, basis) : null;
  if (!happening) return [];
  const recipients = happening.recipients.length > 0 ? happening.recipients : [{ address: '' }];
  return recipients.map((r) => toEvent(happening, r, basis));
}

/** Reads what one kind of SES event reports; null when it reports nothing Edgepost tracks. */
type Reader = (message: Json, basis: Basis) => Happening | null;

/** SES's own `messageId@timestamp`, for events that repeat for one message (opens, clicks, delays). */
function byTime(basis: Basis, at: unknown): string | undefined {
  return basis.providerMessageId && typeof at === 'string' ? `${basis.providerMessageId}@${at}` : undefined;
}

function destination(basis: Basis): Happening['recipients'] {
  return strings(basis.mail.destination).map((address) => ({ address }));
}

/** Recipients SES lists with their own status and answer (bounced, delayed). */
function reported(list: unknown): Happening['recipients'] {
  return objects(list).map((r) => ({ address: String(r.emailAddress ?? ''), status: r.status, diagnostic: r.diagnosticCode }));
}

/** By `eventType` (configuration sets) or `notificationType` (identity notifications); the names agree. */
const readers: Record<string, Reader> = {
  Delivery(message, basis) {
    const delivery = objectAt(message, 'delivery');
    const recipients = strings(delivery.recipients).map((address) => ({ address }));
    return { type: 'delivered', at: delivery.timestamp, ref: basis.providerMessageId, recipients: recipients.length > 0 ? recipients : destination(basis), diagnostic: delivery.smtpResponse };
  },
  Bounce(message) {
    const bounce = objectAt(message, 'bounce');
    // Permanent includes OnAccountSuppressionList and Suppressed (SES will not try the address either); Transient and Undetermined are soft.
    const bounceClass: BounceClass = bounce.bounceType === 'Permanent' ? 'hard' : 'soft';
    return { type: 'bounce', at: bounce.timestamp, ref: stringAt(bounce, 'feedbackId'), recipients: reported(bounce.bouncedRecipients), bounceClass, detail: { bounceType: bounce.bounceType, bounceSubType: bounce.bounceSubType } };
  },
  Complaint(message) {
    const complaint = objectAt(message, 'complaint');
    const recipients = objects(complaint.complainedRecipients).map((r) => ({ address: String(r.emailAddress ?? '') }));
    return { type: 'complaint', at: complaint.timestamp, ref: stringAt(complaint, 'feedbackId'), recipients, detail: { feedbackType: complaint.complaintFeedbackType, complaintSubType: complaint.complaintSubType } };
  },
  Open(message, basis) {
    const open = objectAt(message, 'open');
    return { type: 'open', at: open.timestamp, ref: byTime(basis, open.timestamp), recipients: destination(basis), userAgent: open.userAgent };
  },
  Click(message, basis) {
    const click = objectAt(message, 'click');
    return { type: 'click', at: click.timestamp, ref: byTime(basis, click.timestamp), recipients: destination(basis), url: click.link, userAgent: click.userAgent };
  },
  DeliveryDelay(message, basis) {
    const delay = objectAt(message, 'deliveryDelay');
    return { type: 'deferred', at: delay.timestamp, ref: byTime(basis, delay.timestamp), recipients: reported(delay.delayedRecipients), detail: { delayType: delay.delayType } };
  },
  Reject(message, basis) {
    return { type: 'dropped', at: undefined, ref: basis.providerMessageId, recipients: destination(basis), diagnostic: objectAt(message, 'reject').reason, detail: { sesEvent: 'Reject' } };
  },
  'Rendering Failure'(message, basis) {
    const failure = objectAt(message, 'failure');
    return { type: 'dropped', at: undefined, ref: basis.providerMessageId, recipients: destination(basis), diagnostic: failure.errorMessage, detail: { sesEvent: 'Rendering Failure', templateName: failure.templateName } };
  },
  Subscription(message, basis) {
    const subscription = objectAt(message, 'subscription');
    if (!optedOut(objectAt(subscription, 'newTopicPreferences'))) return null;
    return { type: 'unsubscribe', at: subscription.timestamp, ref: byTime(basis, subscription.timestamp), recipients: destination(basis), detail: { contactList: subscription.contactList, via: subscription.source } };
  },
};

/** True when the recipient left the whole contact list or opted out of a topic. */
function optedOut(preferences: Json): boolean {
  return preferences.unsubscribeAll === true || objects(preferences.topicSubscriptionStatus).some((t) => t.subscriptionStatus === 'OptOut');
}

function toEvent(happening: Happening, recipient: Happening['recipients'][number], basis: Basis): DeliveryEvent {
  const address = bareAddress(recipient.address);
  const ref = happening.ref ?? `sns-${basis.envelope.MessageId}`;
  const event: DeliveryEvent = {
    source: 'ses',
    key: `ses:${happening.type}:${ref}:${address}`,
    type: happening.type,
    recipient: address,
    occurredAt: occurredAt(happening.at, basis),
  };
  if (happening.bounceClass) event.bounceClass = happening.bounceClass;
  if (basis.messageId !== undefined) event.messageId = basis.messageId;
  if (basis.providerMessageId) event.providerMessageId = basis.providerMessageId;
  const status = typeof recipient.status === 'string' ? recipient.status.trim() : '';
  if (status) event.status = status;
  const diagnostic = recipient.diagnostic ?? happening.diagnostic;
  if (typeof diagnostic === 'string' && diagnostic.trim()) event.diagnostic = diagnostic.trim().slice(0, MAX_DIAGNOSTIC);
  if (typeof happening.url === 'string') event.url = happening.url;
  if (typeof happening.userAgent === 'string') event.userAgent = happening.userAgent;
  const detail = scalars(happening.detail ?? {});
  if (Object.keys(detail).length > 0) event.detail = detail;
  return event;
}

/** The event's time, else the mail's, else when SNS published it. */
function occurredAt(at: unknown, basis: Basis): number {
  for (const text of [at, basis.mail.timestamp, basis.envelope.Timestamp]) {
    const time = typeof text === 'string' ? Date.parse(text) : NaN;
    if (Number.isFinite(time)) return time;
  }
  throw new WebhookPayloadError('The SES event has no readable timestamp.');
}

/** Our `messages.id`: the SES tag our driver sets (configuration-set events), else our header (when SES includes the original headers). */
function ourMessageId(mail: Json): number | undefined {
  const tagged = strings(objectAt(mail, 'tags')[MESSAGE_ID_FIELD])[0];
  const header = objects(mail.headers).find((h) => typeof h.name === 'string' && h.name.toLowerCase() === MESSAGE_ID_HEADER.toLowerCase());
  return messageIdOf(tagged) ?? messageIdOf(header?.value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: Json, name: string): Json {
  const found = value[name];
  return isObject(found) ? found : {};
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function stringAt(value: Json, name: string): string | undefined {
  const found = value[name];
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/** The detail fields that are strings, numbers or booleans (SES sends null for absent ones). */
function scalars(detail: Record<string, unknown>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(detail)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  }
  return kept;
}
