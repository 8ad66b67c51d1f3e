// A subscriber's activity timeline: the messages sent to them and their events, merged
// newest first. Each page reads `limit + 1` of each (events through `events_subscriber`,
// by ./events.ts's page query; messages through `messages_subscriber`), then merges them.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events, type EventType, type MessageStatus } from '../db/schema';
import { eventsPageQuery } from './events';

interface ActivityBase {
  /** Epoch ms: when the event happened, or when the message was sent (queued, while not sent yet). */
  at: number;
  /** The message's or the event's id. */
  id: number;
  campaignId: number | null;
  campaignName: string | null;
}

export interface MessageActivity extends ActivityBase {
  kind: 'message';
  status: MessageStatus;
  sentAt: number | null;
}

export interface EventActivity extends ActivityBase {
  kind: 'event';
  type: EventType;
  messageId: number | null;
  url: string | null;
  bounceClass: 'hard' | 'soft' | null;
  /** For opens and clicks: made by a machine (null: recorded before hits were classified), and why. */
  machine: boolean | null;
  machineReason: string | null;
}

export type ActivityItem = MessageActivity | EventActivity;

/** Where the previous page stopped: the last item's time, kind and id. */
export interface ActivityCursor {
  at: number;
  kind: 'message' | 'event';
  id: number;
}

export interface ActivityPage {
  rows: ActivityItem[];
  /** `<at>-<e|m>-<id>` of the last item of this page, or null when nothing follows. */
  nextCursor: string | null;
}

/** Reads a cursor made by an ActivityPage, or null when it is not one. */
export function parseActivityCursor(cursor: string): ActivityCursor | null {
  const match = /^(\d{1,16})-([em])-(\d{1,16})$/.exec(cursor);
  return match ? { at: Number(match[1]), kind: match[2] === 'e' ? 'event' : 'message', id: Number(match[3]) } : null;
}

// At the same millisecond, events come before messages, then by id, both descending.
const rank = (item: { kind: 'message' | 'event' }) => (item.kind === 'event' ? 1 : 0);
function newerFirst(a: ActivityCursor, b: ActivityCursor): number {
  return b.at - a.at || rank(b) - rank(a) || b.id - a.id;
}

/** The subscriber's messages older than the cursor in the timeline's order, `(at, id) < before`; exported for its plan test. */
export function messagesPageSql(subscriberId: number, limit: number, before?: { at: number; id: number }): SQL {
  // The subscriber's messages through messages_subscriber (a few per subscriber), each campaign by its key.
  return sql`
    select m.id, m.campaign_id as campaignId, c.name as campaignName, m.status, m.sent_at as sentAt, coalesce(m.sent_at, m.queued_at) as at
    from messages as m join campaigns as c on c.id = m.campaign_id
    where m.subscriber_id = ${subscriberId}
    ${before ? sql`and (coalesce(m.sent_at, m.queued_at), m.id) < (${before.at}, ${before.id})` : sql``}
    order by at desc, m.id desc
    limit ${limit + 1}`;
}

function messagesPageQuery(db: Database, subscriberId: number, limit: number, before?: { at: number; id: number }) {
  return db.all<{ id: number; campaignId: number; campaignName: string; status: MessageStatus; sentAt: number | null; at: number }>(messagesPageSql(subscriberId, limit, before));
}

/** A page of a subscriber's timeline, newest first; null when there is no such subscriber. */
export async function subscriberActivity(db: Database, subscriberId: number, limit: number, cursor?: ActivityCursor): Promise<ActivityPage | null> {
  // The cursor in each list's own (at, id) order: past the cursor's item, and for the other
  // kind, past everything at its millisecond that sorts before it.
  const beforeEvent = cursor && { at: cursor.at, id: cursor.kind === 'event' ? cursor.id : 0 };
  const beforeMessage = cursor && { at: cursor.at, id: cursor.kind === 'message' ? cursor.id : Number.MAX_SAFE_INTEGER };
  const [found, eventRows, messageRows] = await db.batch([
    db.all<{ id: number }>(sql`select id from subscribers where id = ${subscriberId}`),
    eventsPageQuery(db, sql`${events.subscriberId} = ${subscriberId}`, { limit, ...(beforeEvent ? { before: beforeEvent } : {}) }, {
      machine: events.machine,
      machineReason: events.machineReason,
      campaignName: sql<string | null>`(select name from campaigns where id = ${events.campaignId})`,
    }),
    messagesPageQuery(db, subscriberId, limit, beforeMessage),
  ]);
  if (found.length === 0) return null;
  const merged: ActivityItem[] = [
    ...eventRows.map((e): EventActivity => ({
      kind: 'event',
      at: e.at,
      id: e.id,
      campaignId: e.campaignId,
      campaignName: e.campaignName,
      type: e.type,
      messageId: e.messageId,
      url: e.url,
      bounceClass: e.bounceClass,
      machine: e.machine,
      machineReason: e.machineReason,
    })),
    ...messageRows.map((m): MessageActivity => ({ kind: 'message', at: m.at, id: m.id, campaignId: m.campaignId, campaignName: m.campaignName, status: m.status, sentAt: m.sentAt })),
  ].sort(newerFirst);
  if (merged.length <= limit) return { rows: merged, nextCursor: null };
  const rows = merged.slice(0, limit);
  const last = rows[rows.length - 1]!;
  return { rows, nextCursor: `${last.at}-${last.kind === 'event' ? 'e' : 'm'}-${last.id}` };
}
