// The one schema both planes use. Times are Unix epoch milliseconds (integers):
// cheap to compare and index, and identical in SQLite, libSQL and Turso.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DomainRates, Rate } from '../drivers/rate-limits';
import { deliveryEventTypes, type DeliveryEventType } from '../feedback/delivery-event';

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const lists = sqliteTable('lists', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  optin: text('optin', { enum: ['single', 'double'] }).notNull().default('single'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const subscribers = sqliteTable('subscribers', {
  id: integer('id').primaryKey(),
  /** Stored lower-cased and trimmed, so uniqueness is case-insensitive. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** JSON object of marketer-defined fields, e.g. {"city":"Lyon"}. */
  attributes: text('attributes', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
  /** `blocklisted` is a manual block: never mailed, whatever the lists say. */
  status: text('status', { enum: ['active', 'blocklisted'] }).notNull().default('active'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const listMembers = sqliteTable(
  'list_members',
  {
    listId: integer('list_id').notNull().references(() => lists.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id').notNull().references(() => subscribers.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['unconfirmed', 'subscribed', 'unsubscribed'] }).notNull().default('subscribed'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.listId, t.subscriberId] }), index('list_members_subscriber').on(t.subscriberId)],
);

export const sendingServers = sqliteTable(
  'sending_servers',
  {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  driver: text('driver').notNull(),
  /** Non-secret settings (host, port, region...). */
  config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
  /** Secret settings, AES-GCM encrypted with a key derived from SECRET_KEY; never returned by the API. */
  secrets: text('secrets'),
  /** The server's rate across every sender container, e.g. `{ count: 50, per: 'second' }`; null: unthrottled. */
  rate: text('rate', { mode: 'json' }).$type<Rate>(),
  /** Rates per recipient domain (lower case), e.g. `{ "gmail.com": { count: 20, per: 'minute' } }`. */
  domainRates: text('domain_rates', { mode: 'json' }).$type<DomainRates>().notNull().default({}),
  isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
  // A live check of the settings (the driver's validateConfig), asked for by the API and
  // run by a sender container: the edge cannot open SMTP connections or hold relay SDKs.
  checkRequestedAt: integer('check_requested_at'),
  checkedAt: integer('checked_at'),
  /** The last check's problems; an empty list means the relay accepted the settings. */
  checkProblems: text('check_problems', { mode: 'json' }).$type<{ path: string; message: string }[]>(),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
  },
  // At most one default server, enforced by the database itself.
  (t) => [uniqueIndex('sending_servers_one_default').on(t.isDefault).where(sql`is_default = 1`)],
);

export const campaignStatuses = ['draft', 'scheduled', 'queued', 'sending', 'paused', 'sent', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export const campaigns = sqliteTable(
  'campaigns',
  {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    fromAddress: text('from_address').notNull(),
    format: text('format', { enum: ['mjml', 'html', 'text'] }).notNull(),
    body: text('body').notNull(),
    sendAt: integer('send_at'),
    status: text('status', { enum: campaignStatuses }).notNull().default('draft'),
    /** Why the campaign failed or paused itself, for the marketer. */
    statusReason: text('status_reason'),
    // Claim columns: the dispatcher that owns a sending campaign, and until when.
    claimedBy: text('claimed_by'),
    leaseUntil: integer('lease_until'),
    /** Checkpoint: the highest subscriber id already fanned out into messages. */
    cursor: integer('cursor').notNull().default(0),
    fanoutDone: integer('fanout_done', { mode: 'boolean' }).notNull().default(false),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('campaigns_status_send_at').on(t.status, t.sendAt)],
);

export const campaignLists = sqliteTable(
  'campaign_lists',
  {
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    listId: integer('list_id').notNull().references(() => lists.id),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.listId] })],
);

// The servers a campaign sends through: spread by weight, and `position` is the failover
// order. No row: the default server at send time.
export const campaignSendingServers = sqliteTable(
  'campaign_sending_servers',
  {
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    sendingServerId: integer('sending_server_id').notNull().references(() => sendingServers.id),
    weight: integer('weight').notNull().default(1),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.sendingServerId] }),
    index('campaign_sending_servers_server').on(t.sendingServerId),
    check('campaign_sending_servers_weight', sql`${t.weight} >= 1`),
  ],
);

// A message is queued until its outcome is known. There is no "sending" state: a worker
// that dies mid-send leaves it queued, and the retry carries the same Message-ID.
export const messageStatuses = ['queued', 'sent', 'failed', 'skipped', 'cancelled'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey(),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id').notNull().references(() => subscribers.id, { onDelete: 'cascade' }),
    status: text('status', { enum: messageStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    providerMessageId: text('provider_message_id'),
    /** The server that sent it (no foreign key: a deleted server keeps its history in stats). */
    sendingServerId: integer('sending_server_id'),
    /** The relay's last answer (or our reason for skipping), for the marketer. */
    lastError: text('last_error'),
    queuedAt: integer('queued_at').notNull().default(now),
    sentAt: integer('sent_at'),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [
    // Exactly one message per recipient per campaign, whatever crashes or restarts.
    uniqueIndex('messages_campaign_subscriber').on(t.campaignId, t.subscriberId),
    index('messages_campaign_status').on(t.campaignId, t.status),
    // Relay webhooks that do not echo our id name the message by the relay's own id.
    index('messages_provider_message_id').on(t.providerMessageId).where(sql`provider_message_id is not null`),
  ],
);

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

/** Single-use values of relay webhooks (Mailgun's tokens) seen until they expire: a replay is refused across every isolate. */
export const webhookReplays = sqliteTable('webhook_replays', {
  key: text('key').primaryKey(),
  expiresAt: integer('expires_at').notNull(),
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

export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  /** The first characters of the key, shown so a marketer can tell keys apart. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  hash: text('hash').notNull().unique(),
  createdAt: integer('created_at').notNull().default(now),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
});

/** Mail kept by the `capture` driver, so a first campaign can be tried without a relay. */
export const capturedMessages = sqliteTable('captured_messages', {
  id: integer('id').primaryKey(),
  messageId: integer('message_id'),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  raw: text('raw').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});

export const userRoles = ['owner', 'admin', 'editor', 'viewer'] as const;
export type UserRole = (typeof userRoles)[number];

/** People who sign in to the dashboard. The first one (the owner) is created by the first-run setup. */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey(),
  /** Stored lower-cased and trimmed. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** A slow-KDF hash with its parameters and salt (format in shared/passwords.ts); never the password. */
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: userRoles }).notNull(),
  lastSignInAt: integer('last_sign_in_at'),
  /** A disabled user cannot sign in and their sessions stop working. */
  disabledAt: integer('disabled_at'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

/** Dashboard sessions: the cookie holds a random token; only its SHA-256 is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: integer('created_at').notNull().default(now),
    lastSeenAt: integer('last_seen_at').notNull().default(now),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId), index('sessions_expires').on(t.expiresAt)],
);

/** Failed sign-ins per key (an address, or a client network), for rate limiting across isolates. */
export const signInAttempts = sqliteTable('sign_in_attempts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: integer('window_started_at').notNull(),
  lockedUntil: integer('locked_until'),
});

export const importJobStatuses = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;

/** A CSV import of subscribers: created by the API, processed in chunks, polled for progress. */
export const importJobs = sqliteTable(
  'import_jobs',
  {
    id: integer('id').primaryKey(),
    status: text('status', { enum: importJobStatuses }).notNull().default('pending'),
    fileName: text('file_name').notNull().default(''),
    /** Lists the imported subscribers join. */
    listIds: text('list_ids', { mode: 'json' }).$type<number[]>().notNull(),
    /** CSV column → subscriber field (`email`, `name`, `attributes.<key>`, or ignored). */
    mapping: text('mapping', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    /** What to do with addresses that already exist, and similar choices. */
    options: text('options', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    insertedRows: integer('inserted_rows').notNull().default(0),
    updatedRows: integer('updated_rows').notNull().default(0),
    rejectedRows: integer('rejected_rows').notNull().default(0),
    /** Rejected rows with the reason for each (the first thousand). */
    rejects: text('rejects', { mode: 'json' }).$type<{ row: number; reason: string }[]>().notNull().default([]),
    error: text('error'),
    /** Claim columns: who processes it now, and until when. */
    claimedBy: text('claimed_by'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull().default(now),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('import_jobs_status').on(t.status)],
);

/**
 * The uploaded file of an import, kept until the import ends. Its own row, so the job's
 * counters, updated after every chunk, do not rewrite megabytes each time.
 */
export const importFiles = sqliteTable('import_files', {
  jobId: integer('job_id').primaryKey().references(() => importJobs.id, { onDelete: 'cascade' }),
  csv: text('csv').notNull(),
});

export const testSendStatuses = ['pending', 'sent', 'failed'] as const;

/** A test of a campaign to a few addresses: asked for by the API, sent by a sender container. */
export const testSends = sqliteTable(
  'test_sends',
  {
    id: integer('id').primaryKey(),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    addresses: text('addresses', { mode: 'json' }).$type<string[]>().notNull(),
    /** Whose data fills the merge tags; null: a sample subscriber. */
    subscriberId: integer('subscriber_id'),
    status: text('status', { enum: testSendStatuses }).notNull().default('pending'),
    /** Per address: the relay's answer or why it failed. */
    results: text('results', { mode: 'json' }).$type<{ address: string; ok: boolean; detail: string }[]>(),
    claimedBy: text('claimed_by'),
    leaseUntil: integer('lease_until'),
    requestedAt: integer('requested_at').notNull().default(now),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('test_sends_status').on(t.status, t.requestedAt), index('test_sends_campaign').on(t.campaignId)],
);
