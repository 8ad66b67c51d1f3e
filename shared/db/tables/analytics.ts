// Campaign counters: what the stats, the time series and the per-domain report read, so a
// campaign with millions of events answers from a few rows. They are kept in the same
// transactions as the writes they count (never by a background job that could fall behind):
// events through a rollup that follows every event write (shared/queries/event-rollup.ts),
// message outcomes by the statements that change a message's status
// (shared/queries/message-counts.ts).
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

/** How campaign_event_counts slices a campaign's events; `key` is '' for `all`. */
export const eventCountDimensions = ['all', 'link', 'hour', 'domain', 'reason'] as const;
export type EventCountDimension = (typeof eventCountDimensions)[number];

/**
 * Event counts of a campaign per dimension key (`link`: the URL; `hour`: the hour's start in
 * epoch ms, as text; `domain`: the recipient's domain; `reason`: a machine reason code) and
 * per type (an event type, or `bounce-hard` for the hard part of bounces, or `open-machine` /
 * `click-machine` for machines' hits, whose `messages` are the messages with one: row `all` only).
 */
export const campaignEventCounts = sqliteTable(
  'campaign_event_counts',
  {
    campaignId: integer('campaign_id').notNull(),
    dimension: text('dimension', { enum: eventCountDimensions }).notNull(),
    key: text('key').notNull(),
    type: text('type').notNull(),
    /** Events. */
    total: integer('total').notNull().default(0),
    /** Events not flagged as a machine's (for types other than open and click: all of them). */
    humanTotal: integer('human_total').notNull().default(0),
    /** Distinct messages (for `hour`: messages whose first event of the type fell in that hour). */
    messages: integer('messages').notNull().default(0),
    /** Distinct messages with a human event (for `hour`: whose first human event fell in it). */
    humanMessages: integer('human_messages').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.dimension, t.key, t.type] })],
);

/** How far the event rollup has counted: every event with `id <= last_event_id` is in campaign_event_counts. */
export const eventRollup = sqliteTable(
  'event_rollup',
  {
    id: integer('id').primaryKey(),
    lastEventId: integer('last_event_id').notNull().default(0),
  },
  (t) => [check('event_rollup_one_row', sql`${t.id} = 1`)],
);

/**
 * Messages of a campaign per recipient domain (`*`: all of them) and status, kept exact as
 * messages are created and end: `created`, then the final statuses; queued = created − the
 * final ones (shared/queries/message-counts.ts).
 */
export const campaignMessageCounts = sqliteTable(
  'campaign_message_counts',
  {
    campaignId: integer('campaign_id').notNull(),
    domain: text('domain').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.domain, t.status] }),
    // A campaign's biggest domains: the top of its `created` range (shared/queries/message-counts.ts).
    index('campaign_message_counts_top').on(t.campaignId, t.status, t.n),
  ],
);
