// What goes out: sending servers, campaigns, one message row per recipient, test sends and
// the local capture inbox.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DomainRates, Rate } from '../../drivers/rate-limits';
import { now } from './columns';
import { lists, subscribers } from './audience';

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

/**
 * How a campaign tracks its readers: `on` (opens and clicks per message), `anonymous`
 * (counts per campaign and link, nobody's identity in the links) or `off` (no pixel, links
 * left as written). Null on a campaign: the install's setting (shared/settings.ts).
 */
export const trackingModes = ['on', 'anonymous', 'off'] as const;
export type TrackingMode = (typeof trackingModes)[number];

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
    /** The inbox preview line after the subject (a hidden block at the top of HTML bodies); Liquid allowed. */
    preheader: text('preheader').notNull().default(''),
    /** Null: the install's tracking setting. */
    tracking: text('tracking', { enum: trackingModes }),
    /** Host name the pixel and click links use instead of PUBLIC_URL's, e.g. `click.acme.example`; null: the install's setting. */
    trackingDomain: text('tracking_domain'),
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

/** A saved starting point for campaigns: a body in one format, with an optional subject and preheader. */
export const templates = sqliteTable('templates', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  format: text('format', { enum: ['mjml', 'html', 'text'] }).notNull(),
  subject: text('subject').notNull().default(''),
  preheader: text('preheader').notNull().default(''),
  body: text('body').notNull(),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

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
    // A subscriber's messages: deleting a subscriber (its messages cascade) and its activity timeline.
    index('messages_subscriber').on(t.subscriberId),
    index('messages_campaign_status').on(t.campaignId, t.status),
    // Relay webhooks that do not echo our id name the message by the relay's own id.
    index('messages_provider_message_id').on(t.providerMessageId).where(sql`provider_message_id is not null`),
  ],
);

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

/** Mail kept by the `capture` driver, so a first campaign can be tried without a relay. */
export const capturedMessages = sqliteTable('captured_messages', {
  id: integer('id').primaryKey(),
  messageId: integer('message_id'),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  raw: text('raw').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});
