// Messages: one row per campaign × subscriber (unique), created by the dispatcher before
// its job exists and moved to a final status by the worker. Every write that creates a
// message or changes its status runs with its count (./message-counts.ts) in one batch.
import { and, count, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sqlJson } from '../db/sql-json';
import { campaigns, messages, type MessageStatus } from '../db/schema';
import { countCreatedMessages, countQueuedEnding, countSent } from './message-counts';

export interface QueuedMessage {
  id: number;
  subscriberId: number;
}

/**
 * Creates the messages of one page of recipients and returns every one still queued, the
 * new and any left from a run that crashed before queueing them: jobs are then added for
 * all of them, and BullMQ ignores a job id it already holds.
 */
export async function createMessages(db: Database, campaignId: number, subscriberIds: number[]): Promise<QueuedMessage[]> {
  if (subscriberIds.length === 0) return [];
  const ids = JSON.stringify(subscriberIds);
  const [, , queued] = await db.batch([
    db.run(countCreatedMessages(campaignId, subscriberIds)),
    db.run(sql`
      insert into messages (campaign_id, subscriber_id)
      select ${campaignId}, value from json_each(${ids}) where true
      on conflict (campaign_id, subscriber_id) do nothing`),
    // Driven from the page's ids through the (campaign, subscriber) index: read by the
    // campaign's queued messages instead, it scanned the whole window of them per page.
    db.all<QueuedMessage>(sql`
      select m.id as id, m.subscriber_id as subscriberId
      from json_each(${ids}) as j
      cross join ${messages} as m on m.campaign_id = ${campaignId} and m.subscriber_id = j.value
      where m.status = 'queued'
      order by m.id`),
  ]);
  return queued;
}

/** How many messages of a campaign have no outcome yet (counted on the campaign-status index). */
export async function pendingCount(db: Database, campaignId: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(messages)
    .where(and(eq(messages.campaignId, campaignId), eq(messages.status, 'queued')));
  return row!.n;
}

/** Messages of a campaign that have no outcome yet, by id after `afterId`. */
export async function pendingMessages(db: Database, campaignId: number, afterId: number, limit: number): Promise<number[]> {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.campaignId, campaignId), eq(messages.status, 'queued'), sql`${messages.id} > ${afterId}`))
    .orderBy(messages.id)
    .limit(limit);
  return rows.map((r) => r.id);
}

export interface MessageServer {
  id: number;
  /** Its settings version (`updated_at`). */
  version: number;
  weight: number;
}

export interface MessageToSend {
  id: number;
  status: MessageStatus;
  attempts: number;
  campaignId: number;
  campaignStatus: string;
  /** The campaign's servers in failover order, or the default one alone; empty when there is none. */
  servers: MessageServer[];
  subscriber: { id: number; email: string; name: string; attributes: Record<string, unknown> };
  /** Blocklisted, suppressed, or no longer subscribed to any of the campaign's lists. */
  excludedBecause: string | null;
}

/**
 * Everything the worker needs about each message, in one round trip for many messages
 * (the worker batches concurrent jobs). Results follow `messageIds`; null for a gone message.
 */
export async function loadMessagesToSend(db: Database, messageIds: number[]): Promise<(MessageToSend | null)[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    select m.id, m.status, m.attempts, m.campaign_id, c.status as campaign_status,
      case when exists (select 1 from campaign_sending_servers where campaign_id = c.id)
        then (select json_group_array(json_object('id', o.id, 'version', o.version, 'weight', o.weight)) from (
          select ss.id, ss.updated_at as version, cs.weight from campaign_sending_servers cs
          join sending_servers ss on ss.id = cs.sending_server_id
          where cs.campaign_id = c.id order by cs.position) o)
        else (select json_group_array(json_object('id', id, 'version', updated_at, 'weight', 1)) from (
          select id, updated_at from sending_servers where is_default = 1 order by id limit 1))
      end as servers,
      s.id as subscriber_id, s.email, s.name, s.attributes, s.status as subscriber_status,
      exists (select 1 from suppressions sp where sp.email = s.email) as suppressed,
      exists (
        select 1 from campaign_lists cl
        join list_members lm on lm.list_id = cl.list_id and lm.subscriber_id = s.id and lm.status = 'subscribed'
        where cl.campaign_id = c.id
      ) as subscribed
    from messages m
    join campaigns c on c.id = m.campaign_id
    join subscribers s on s.id = m.subscriber_id
    where m.id in (select value from json_each(${JSON.stringify(messageIds)}))`);
  const byId = new Map(rows.map((row) => [Number(row.id), toMessageToSend(row)]));
  return messageIds.map((id) => byId.get(id) ?? null);
}

function toMessageToSend(row: Record<string, unknown>): MessageToSend {
  const excludedBecause =
    row.subscriber_status === 'blocklisted'
      ? 'subscriber is blocklisted'
      : Number(row.suppressed)
        ? 'address is on the suppression list'
        : Number(row.subscribed)
          ? null
          : 'unsubscribed from the campaign lists';
  return {
    id: Number(row.id),
    status: row.status as MessageStatus,
    attempts: Number(row.attempts),
    campaignId: Number(row.campaign_id),
    campaignStatus: String(row.campaign_status),
    servers: JSON.parse(String(row.servers ?? '[]')) as MessageServer[],
    subscriber: {
      id: Number(row.subscriber_id),
      email: String(row.email),
      name: String(row.name),
      attributes: JSON.parse(String(row.attributes ?? '{}')) as Record<string, unknown>,
    },
    excludedBecause,
  };
}

const stillQueued = eq(messages.status, 'queued');

export interface SentOutcome {
  messageId: number;
  attempts: number;
  providerMessageId: string | null;
  /** The server that accepted it. */
  serverId: number;
}

/**
 * Records the relay's acceptance of many messages in one UPDATE (after its counts). A message
 * the cancel sweep ended while it was being sent becomes `sent`: the relay has it, and the
 * campaign must say so. Any other final message stays as it was (a repeated batch).
 */
export async function markMessagesSent(db: Database, outcomes: SentOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const now = Date.now();
  const json = sqlJson(outcomes);
  const ids = sql`select o.value ->> 'messageId' from json_each(${json}) as o`;
  await db.batch([
    db.run(countSent(ids)),
    db.run(sql`
      update messages set status = 'sent', attempts = o.value ->> 'attempts', provider_message_id = o.value ->> 'providerMessageId',
        sending_server_id = o.value ->> 'serverId', last_error = null, sent_at = ${now}, updated_at = ${now}
      from json_each(${json}) o
      where messages.id = o.value ->> 'messageId' and messages.status in ('queued', 'cancelled')`),
  ]);
}

/**
 * Ends a message without sending it (failed, skipped or cancelled), with the reason, and the
 * server whose refusal ended it (a failure), so the message says which relay refused it.
 */
export async function markMessageFinal(
  db: Database,
  messageId: number,
  status: Extract<MessageStatus, 'failed' | 'skipped' | 'cancelled'>,
  attempts: number,
  reason: string,
  serverId?: number,
): Promise<void> {
  await db.batch([
    db.run(countQueuedEnding(sql`${messageId}`, status)),
    db
      .update(messages)
      .set({ status, attempts, lastError: reason, updatedAt: Date.now(), ...(serverId !== undefined ? { sendingServerId: serverId } : {}) })
      .where(and(eq(messages.id, messageId), stillQueued)),
  ]);
}

/** Notes a temporary failure and the server it came from; the message stays queued for its next attempt. */
export async function markMessageRetrying(db: Database, messageId: number, attempts: number, reason: string, serverId?: number): Promise<void> {
  await db
    .update(messages)
    .set({ status: 'queued', attempts, lastError: reason, updatedAt: Date.now(), ...(serverId !== undefined ? { sendingServerId: serverId } : {}) })
    .where(and(eq(messages.id, messageId), stillQueued));
}

/** Ends the queued messages of cancelled campaigns, at most `limit` a call (the sweep runs often). */
export async function cancelQueuedOfCancelledCampaigns(db: Database, limit: number): Promise<number> {
  // The count and the update pick the same messages: the same query, with no ORDER BY (a
  // sort would cost a whole cancelled campaign per call), gives the same rows within one
  // transaction, as SQLite runs one plan deterministically over unchanged data.
  const picked = sql`select m.id from ${messages} m join ${campaigns} c on c.id = m.campaign_id
    where c.status = 'cancelled' and m.status = 'queued' limit ${limit}`;
  const [, rows] = await db.batch([
    db.run(countQueuedEnding(picked, 'cancelled')),
    db
      .update(messages)
      .set({ status: 'cancelled', lastError: 'campaign cancelled', updatedAt: Date.now() })
      .where(sql`${messages.id} in (${picked})`)
      .returning({ id: messages.id }),
  ]);
  return rows.length;
}
