// The one normalised delivery event. Every source of feedback (relay webhooks at the edge,
// the sender plane's bounce inbox) turns what it received into these, and one writer
// (shared/queries/delivery-events.ts) records them: once each, whatever the redeliveries.

/** Where an event came from: a relay's webhook, or the bounce inbox (DSN and ARF mail). */
export const feedbackSources = ['ses', 'mailgun', 'sendgrid', 'postmark', 'sparkpost', 'elasticemail', 'bounce-inbox'] as const;
export type FeedbackSource = (typeof feedbackSources)[number];

/** Relays whose webhooks `POST /hooks/:provider` accepts. */
export const webhookProviders = ['ses', 'mailgun', 'sendgrid', 'postmark', 'sparkpost', 'elasticemail'] as const;
export type WebhookProvider = (typeof webhookProviders)[number];

export function isWebhookProvider(name: string): name is WebhookProvider {
  return (webhookProviders as readonly string[]).includes(name);
}

export const deliveryEventTypes = ['delivered', 'bounce', 'complaint', 'open', 'click', 'unsubscribe', 'deferred', 'dropped'] as const;
export type DeliveryEventType = (typeof deliveryEventTypes)[number];

/** A bounce that retires the address at once (`hard`) or only when repeated (`soft`). */
export type BounceClass = 'hard' | 'soft';

export interface DeliveryEvent {
  source: FeedbackSource;
  /**
   * Idempotency key, unique across sources: `<source>:<what identifies this event at the
   * source>` (the provider's event id where it has one, else a digest of the fields that
   * make it unique). The same event delivered twice, in any order, yields the same key.
   */
  key: string;
  type: DeliveryEventType;
  /** Set for `bounce` (and for `dropped` when the relay says why in those terms). */
  bounceClass?: BounceClass;
  /** Our `messages.id`, when the relay echoed it back (custom args, tags, VERP). */
  messageId?: number;
  /** The relay's own message id, matched against `messages.provider_message_id` when ours is absent. */
  providerMessageId?: string;
  /** The recipient address, lower-cased. Empty only where the source truly does not say. */
  recipient: string;
  /** Epoch milliseconds when the event happened at the source (not when it reached us). */
  occurredAt: number;
  /** Enhanced status code (RFC 3463), e.g. `5.1.1`, when the source gives one. */
  status?: string;
  /** The remote server's answer or the relay's reason, as given (trimmed to 1,000 characters). */
  diagnostic?: string;
  /** The clicked URL, for `click`. */
  url?: string;
  /** The client's user agent, for `open` and `click`. */
  userAgent?: string;
  /** True when the relay itself says an open or click came from a machine (e.g. SendGrid's `sg_machine_open`). */
  machine?: boolean;
  /** A few source-specific fields worth keeping (complaint feedback type, bounce sub-type, tags). */
  detail?: Record<string, string | number | boolean | null>;
}

/** The longest `diagnostic` kept; remote servers sometimes answer with whole pages. */
export const MAX_DIAGNOSTIC = 1000;
