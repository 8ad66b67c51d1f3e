// What comes back: events (tracking hits, relay and bounce feedback), suppressions,
// settings, relay webhook sources and outgoing webhooks.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { deliveryEventTypes, type DeliveryEventType } from '../../feedback/delivery-event';
import { now } from './columns';

/** Every event kind, ours (open, click, unsubscribe) and the relays' alike. */
export const eventTypes = deliveryEventTypes;
export type EventType = DeliveryEventType;

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey(),
    /** Idempotency key: the provider's event id, or a fresh id per tracking hit. */
    key: text('key').notNull().unique(),
    type: text('type', { enum: eventTypes }).notNull(),
    messageId: integer('message_id'),
    campaignId: integer('campaign_id'),
    subscriberId: integer('subscriber_id'),
    occurredAt: integer('occurred_at').notNull(),
    /** Who reported it: a relay's webhook or the bounce inbox (see FeedbackSource); null for our own tracking. */
    source: text('source'),
    /** For bounces: `hard` retires the address at once, `soft` only when repeated. */
    bounceClass: text('bounce_class', { enum: ['hard', 'soft'] }),
    /** The recipient address as the source named it, lower-cased (events that match no message keep it too). */
    recipient: text('recipient'),
    /** For opens and clicks: whether a machine made it (a mail proxy, a scanner), and why (shared/tracking/classify-hit.ts). */
    machine: integer('machine', { mode: 'boolean' }),
    machineReason: text('machine_reason'),
    /** The clicked URL, for clicks. */
    url: text('url'),
    /** Event details: user agent, bounce code and diagnostic, provider fields. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // Covers the stats' unique counts (distinct messages per type) without reading rows.
    index('events_campaign_type').on(t.campaignId, t.type, t.messageId),
    index('events_message').on(t.messageId),
    index('events_subscriber').on(t.subscriberId),
    // The soft-bounce rule counts an address's recent soft bounces.
    index('events_recipient_bounce').on(t.recipient, t.occurredAt).where(sql`type = 'bounce' and bounce_class = 'soft'`),
    // A campaign's bounces and complaints, newest first (shared/queries/campaign-reports.ts); only those rows.
    index('events_campaign_feedback').on(t.campaignId, t.id).where(sql`type = 'bounce' or type = 'complaint'`),
  ],
);

/** `soft_bounce`: retired by the soft-bounce rule (too many soft bounces in the window). */
export const suppressionReasons = ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe', 'manual'] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

export const suppressions = sqliteTable('suppressions', {
  /** Lower-cased address; suppression is by address, whether or not it is a subscriber. */
  email: text('email').primaryKey(),
  reason: text('reason', { enum: suppressionReasons }).notNull(),
  detail: text('detail'),
  /** The event that caused it (`events.key`), when an event did. */
  eventKey: text('event_key'),
  createdAt: integer('created_at').notNull().default(now),
});

/**
 * When the marketer last lifted an address's suppression. Feedback that happened before
 * then (a relay redelivering an old bounce) does not suppress it again; anything after does.
 */
export const suppressionLifts = sqliteTable('suppression_lifts', {
  email: text('email').primaryKey(),
  liftedAt: integer('lifted_at').notNull(),
});

/**
 * Install-wide settings the marketer changes at run time (the API's /api/settings), one row
 * per key with a JSON value; a missing row means the default in shared/settings.ts.
 */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at').notNull().default(now),
});

/** Where a relay's webhooks are verified from: a signing key, allowed SNS topics, a basic-auth pair. */
export const relayWebhooks = sqliteTable(
  'relay_webhooks',
  {
    id: integer('id').primaryKey(),
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    /** Non-secret settings (SNS topic ARNs, SendGrid's public key). */
    config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    /** Secret settings, AES-GCM encrypted like sending servers' secrets; never returned by the API. */
    secrets: text('secrets'),
    lastReceivedAt: integer('last_received_at'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('relay_webhooks_provider').on(t.provider)],
);

/**
 * Single-use values of relay webhooks (Mailgun's tokens) seen until they expire: each is bound
 * to the body it first came with, so a replay carrying other content is refused across every
 * isolate, while the relay's retry of the same delivery is taken again.
 */
export const webhookReplays = sqliteTable('webhook_replays', {
  key: text('key').primaryKey(),
  expiresAt: integer('expires_at').notNull(),
  /** SHA-256 (hex) of the body the value came with; null on claims made before it was kept. */
  bodySha256: text('body_sha256'),
});

/** The marketer's own endpoints that Edgepost calls when something happens (outgoing webhooks). */
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: integer('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  /** Event names this endpoint receives, e.g. ["message.bounced", "subscriber.unsubscribed"]. */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  /** The signing secret, AES-GCM encrypted; shown once when created or rotated. */
  secret: text('secret').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;

/** One event for one endpoint: written when the event happens, sent (and retried) by the sender plane. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey(),
    endpointId: integer('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    /** The JSON body sent, fixed when the event happens so every retry sends the same bytes. */
    payload: text('payload').notNull(),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull().default(now),
    /** Claim columns: the sender that is calling the endpoint now, and until when. */
    claimedBy: text('claimed_by'),
    leaseUntil: integer('lease_until'),
    lastAttemptAt: integer('last_attempt_at'),
    /** The endpoint's last HTTP status, and the start of its body, for the marketer. */
    lastStatus: integer('last_status'),
    lastResponse: text('last_response'),
    /** Why the last attempt failed when there was no HTTP answer (timeout, refused). */
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint').on(t.endpointId, t.id),
  ],
);
