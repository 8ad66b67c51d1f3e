// Events: unsubscribes, and the events of a message or a subscriber as the API shows them.
// Hits are written by ./hits.ts, relay and bounce feedback by ./delivery-events.ts.
import { and, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/sqlite-core';
import type { Database } from '../db/database';
import { campaignLists, events, listMembers, messages } from '../db/schema';
import { eventRollup } from './event-rollup';
import { clientData } from './hits';

/** How an unsubscribe arrived: an RFC 8058 one-click POST, our confirmation form, or a mail to the List-Unsubscribe mailto. */
export type UnsubscribeSource = 'one-click' | 'form' | 'mailto';

export interface UnsubscribeDetails {
  userAgent?: string;
  method?: string;
}

export interface UnsubscribeResult {
  /** False when the message row is gone (its campaign or subscriber was deleted). */
  found: boolean;
  /** True the first time this message's unsubscribe is recorded. */
  recorded: boolean;
  /** Memberships that changed to `unsubscribed` now (0 when repeated). */
  membershipsChanged: number;
}

/**
 * Unsubscribes the message's recipient from the campaign's lists and records one
 * `unsubscribe` event (keyed `unsubscribe:<messageId>`, so a repeated POST records once),
 * in one transaction: the caller may tell the recipient they are out as soon as it resolves.
 */
export async function unsubscribeByMessage(
  db: Database,
  messageId: number,
  source: UnsubscribeSource,
  details: UnsubscribeDetails = {},
): Promise<UnsubscribeResult> {
  if (!Number.isSafeInteger(messageId) || messageId < 1) throw new RangeError(`messageId must be a positive integer, got ${messageId}`);
  const ofMessage = eq(messages.id, messageId);
  const subscriberId = sql`(${db.select({ id: messages.subscriberId }).from(messages).where(ofMessage)})`;
  const campaignId = sql`(${db.select({ id: messages.campaignId }).from(messages).where(ofMessage)})`;
  const listIds = db.select({ id: campaignLists.listId }).from(campaignLists).where(eq(campaignLists.campaignId, campaignId));
  const data = JSON.stringify({ source, ...clientData(details.userAgent, details.method ?? 'POST') });
  // Writes come first: in a deferred transaction a read before a write could fail with
  // SQLITE_BUSY_SNAPSHOT when the sender commits in between; a leading write just waits.
  // The event rollup (./event-rollup.ts) counts the unsubscribe in the same transaction.
  const [updated, inserted, found] = await db.batch([
    db
      .update(listMembers)
      .set({ status: 'unsubscribed', updatedAt: Date.now() })
      .where(
        and(
          eq(listMembers.subscriberId, subscriberId),
          inArray(listMembers.listId, listIds),
          ne(listMembers.status, 'unsubscribed'),
        ),
      ),
    db.run(sql`
      insert into ${events} (key, type, message_id, campaign_id, subscriber_id, occurred_at, data)
      select ${`unsubscribe:${messageId}`}, 'unsubscribe', m.id, m.campaign_id, m.subscriber_id, ${Date.now()}, ${data}
      from ${messages} as m
      where m.id = ${messageId}
      on conflict (key) do nothing`),
    db.select({ id: messages.id }).from(messages).where(ofMessage),
    ...eventRollup(db),
  ]);
  return { found: found.length > 0, recorded: inserted.rowsAffected > 0, membershipsChanged: updated.rowsAffected };
}

/** One event as the API shows it, per message or per subscriber. */
export interface EventView {
  id: number;
  type: (typeof events.$inferSelect)['type'];
  bounceClass: 'hard' | 'soft' | null;
  /** The relay or the bounce inbox that reported it; null for Edgepost's own tracking (pixel, click, unsubscribe page). */
  source: string | null;
  /** Enhanced status code (e.g. `5.1.1`), when the source gave one. */
  status: string | null;
  diagnostic: string | null;
  url: string | null;
  /** Epoch ms when it happened at the source. */
  at: number;
  messageId: number | null;
  campaignId: number | null;
}

/** Pages of events go newest first (by when they happened, then by id); `before` is the last event of the previous page. */
export interface EventPageQuery {
  limit: number;
  before?: { at: number; id: number };
}

export interface EventPage {
  rows: EventView[];
  /** `<at>-<id>` of the last event of this page, or null when nothing follows. */
  nextCursor: string | null;
}

/** Reads a cursor made by an EventPage, or null when it is not one. */
export function parseEventCursor(cursor: string): { at: number; id: number } | null {
  const match = /^(\d{1,16})-(\d{1,16})$/.exec(cursor);
  return match ? { at: Number(match[1]), id: Number(match[2]) } : null;
}

/**
 * One page of the events matching `owner`: read through the events_message or events_subscriber
 * index, then sorted (tens of rows, not millions). `extra` adds columns for callers that show more
 * (the subscriber activity timeline, shared/queries/subscriber-activity.ts).
 */
export function eventsPageQuery<X extends SelectedFields = {}>(db: Database, owner: SQL, page: EventPageQuery, extra?: X) {
  const before = page.before ? sql` and (${events.occurredAt}, ${events.id}) < (${page.before.at}, ${page.before.id})` : sql``;
  return db
    .select({
      id: events.id,
      type: events.type,
      bounceClass: events.bounceClass,
      source: events.source,
      status: sql<string | null>`${events.data} ->> 'status'`,
      diagnostic: sql<string | null>`${events.data} ->> 'diagnostic'`,
      url: events.url,
      at: events.occurredAt,
      messageId: events.messageId,
      campaignId: events.campaignId,
      ...(extra as X),
    })
    .from(events)
    .where(sql`${owner}${before}`)
    .orderBy(sql`${events.occurredAt} desc, ${events.id} desc`)
    .limit(page.limit + 1);
}

function toEventPage(rows: EventView[], limit: number): EventPage {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!;
  return { rows: page, nextCursor: `${last.at}-${last.id}` };
}

/** A subscriber's events, newest first; null when there is no such subscriber. */
export async function subscriberEvents(db: Database, subscriberId: number, page: EventPageQuery): Promise<EventPage | null> {
  const [found, rows] = await db.batch([
    db.all<{ id: number }>(sql`select id from subscribers where id = ${subscriberId}`),
    eventsPageQuery(db, sql`${events.subscriberId} = ${subscriberId}`, page),
  ]);
  return found.length > 0 ? toEventPage(rows, page.limit) : null;
}

/** A message as the API shows it: where it went, how its sending ended. */
export interface MessageView {
  id: number;
  campaignId: number;
  campaignName: string;
  subscriberId: number;
  email: string;
  status: (typeof messages.$inferSelect)['status'];
  attempts: number;
  providerMessageId: string | null;
  sendingServerId: number | null;
  lastError: string | null;
  queuedAt: number;
  sentAt: number | null;
}

/** A message and a page of its events, newest first, in one round trip; null when there is no such message. */
export async function messageWithEvents(db: Database, messageId: number, page: EventPageQuery): Promise<{ message: MessageView; events: EventPage } | null> {
  const [found, rows] = await db.batch([
    db
      .select({
        id: messages.id,
        campaignId: messages.campaignId,
        campaignName: sql<string>`(select name from campaigns where id = ${messages.campaignId})`,
        subscriberId: messages.subscriberId,
        email: sql<string>`(select email from subscribers where id = ${messages.subscriberId})`,
        status: messages.status,
        attempts: messages.attempts,
        providerMessageId: messages.providerMessageId,
        sendingServerId: messages.sendingServerId,
        lastError: messages.lastError,
        queuedAt: messages.queuedAt,
        sentAt: messages.sentAt,
      })
      .from(messages)
      .where(eq(messages.id, messageId)),
    eventsPageQuery(db, sql`${events.messageId} = ${messageId}`, page),
  ]);
  return found[0] ? { message: found[0], events: toEventPage(rows, page.limit) } : null;
}
