// Events: tracking hits and unsubscribes. Every write is idempotent on `events.key`, and the
// campaign and subscriber are resolved from the message row inside the same statement, so
// the edge never reads before it writes.
import { and, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { campaignLists, events, listMembers, messages } from '../db/schema';

/** One open or click, as the edge saw it. */
export interface Hit {
  kind: 'open' | 'click';
  messageId: number;
  /** The destination, for clicks. */
  url?: string;
  /** Epoch ms when the hit arrived. */
  at: number;
  userAgent?: string;
  /** HEAD or GET: scanners often probe links with HEAD. */
  method: string;
}

/** A hit ready to store. `key` is chosen once per hit, so a retried write records it once. */
export type HitRow = Hit & { key: string };

/** How an unsubscribe arrived: an RFC 8058 one-click POST, or our confirmation form. */
export type UnsubscribeSource = 'one-click' | 'form';

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

/** User agents are free text from the wire: keep enough to classify, not a whole payload. */
export const MAX_USER_AGENT = 512;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Replaces lone UTF-16 surrogates: SQLite would store them as invalid UTF-8, and the libSQL
 * Node binding aborts the whole process when it reads such a value back.
 */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** `events.data` for anything a client sent us: its user agent and method, never its IP. */
function clientData(userAgent: string | undefined, method: string) {
  return userAgent ? { userAgent: wellFormed(userAgent.slice(0, MAX_USER_AGENT)), method: wellFormed(method) } : { method: wellFormed(method) };
}

/**
 * The one INSERT for a batch of hits. Hits go in as one JSON parameter (so a batch of any
 * size is one statement under SQLite's parameter limit) and join `messages` by primary key:
 * hits for a message that has no row are dropped, not errors.
 */
export function hitsInsert(hits: readonly HitRow[]): SQL {
  const rows = hits.map((h) => ({
    key: h.key,
    type: h.kind,
    messageId: h.messageId,
    at: h.at,
    url: h.kind === 'click' && h.url !== undefined ? wellFormed(h.url) : null,
    data: JSON.stringify(clientData(h.userAgent, h.method)),
  }));
  // `where true` settles SQLite's parsing ambiguity between a join's ON and the upsert's ON CONFLICT.
  return sql`
    insert into ${events} (key, type, message_id, campaign_id, subscriber_id, occurred_at, url, data)
    select h.value ->> 'key', h.value ->> 'type', m.id, m.campaign_id, m.subscriber_id,
           h.value ->> 'at', h.value ->> 'url', h.value ->> 'data'
    from json_each(${JSON.stringify(rows)}) as h
    join ${messages} as m on m.id = h.value ->> 'messageId'
    where true
    on conflict (key) do nothing`;
}

/** Writes a batch of hits with one INSERT; returns the rows written (repeats and unknown messages excluded). */
export async function recordHits(db: Database, hits: readonly HitRow[]): Promise<number> {
  if (hits.length === 0) return 0;
  const result = await db.run(hitsInsert(hits));
  return result.rowsAffected;
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
  ]);
  return { found: found.length > 0, recorded: inserted.rowsAffected > 0, membershipsChanged: updated.rowsAffected };
}
