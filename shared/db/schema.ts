// The one schema both planes use. Times are Unix epoch milliseconds (integers):
// cheap to compare and index, and identical in SQLite, libSQL and Turso.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DomainRates, Rate } from '../drivers/rate-limits';

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
  ],
);

export const eventTypes = ['delivered', 'open', 'click', 'unsubscribe', 'bounce', 'complaint', 'deferred', 'dropped'] as const;
export type EventType = (typeof eventTypes)[number];

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
  ],
);

export const suppressionReasons = ['hard_bounce', 'complaint', 'unsubscribe', 'manual'] as const;

export const suppressions = sqliteTable('suppressions', {
  /** Lower-cased address; suppression is by address, whether or not it is a subscriber. */
  email: text('email').primaryKey(),
  reason: text('reason', { enum: suppressionReasons }).notNull(),
  detail: text('detail'),
  createdAt: integer('created_at').notNull().default(now),
});

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
