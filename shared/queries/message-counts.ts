// Campaign message counts per recipient domain (campaign_message_counts), kept exact by the
// statements that create messages or end them. What a row counts, by its `status`:
// - `created`: messages created (fan-out), never decreased;
// - `sent`, `failed`, `skipped`, `cancelled`: messages that reached that final status
//   (a message leaves `queued` once, for one of them, and moves again only from `cancelled`
//   to `sent`: a relay that accepts a message the cancel sweep ended while it was in flight
//   has the last word, see countSent).
// Queued messages are not a row: they are `created` minus the four final counts. So ending
// a batch of messages writes one row per domain of the batch (+n to its final status)
// rather than two (+n, and −n to `queued`): lists with many small recipient domains write
// a counter row per few messages, and Turso bills every row written (bench/rows-written.ts).
// Besides each domain's rows, domain `*` (never a mail domain) holds the campaign's totals,
// so the totals are a few rows however many domains a campaign reaches (a million
// recipients can have 100,000 domains).
// Each count runs right before its write, in the same db.batch (one transaction), with the
// write's own predicate, so both see the same rows: writes are serialised, and a retried
// or repeated batch counts only what it changes. No per-row triggers (each firing would be
// a row written per message). The counts are history: a deleted subscriber's cascaded
// messages stay counted.
import { and, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { campaignMessageCounts as counts, messageStatuses, type MessageStatus } from '../db/schema';

/** The domain key of a campaign's totals. */
const ALL_DOMAINS = '*';

/**
 * The domain of an email column: what follows its last '@', lower-cased ('' for null or no
 * '@'), as the event counters take it. SQLite has no "last index of": rtrim strips every
 * character but '@' from the right, leaving the address up to its last '@'. Its lower()
 * folds ASCII only, as domains in mail are (IDNs travel as punycode).
 */
export function emailDomain(email: SQL): SQL {
  return sql`case when instr(${email}, '@') > 0 then lower(substr(${email}, length(rtrim(${email}, replace(${email}, '@', ''))) + 1)) else '' end`;
}

/**
 * Adds the counts `perDomain` selects (rows of campaign_id, domain, status, n), and their sum
 * per campaign and status under domain `*`. Amounts only add (a negative one moves a count
 * away), so an upsert needs no read of the row's state.
 */
function addCounts(perDomain: SQL): SQL {
  return sql`
    with c as materialized (${perDomain})
    insert into ${counts} (campaign_id, domain, status, n)
    select campaign_id, domain, status, n from c
    union all
    select campaign_id, ${ALL_DOMAINS}, status, sum(n) from c group by campaign_id, status
    on conflict (campaign_id, domain, status) do update set n = n + excluded.n`;
}

/**
 * Counts the messages `createMessages` is about to insert: the distinct subscribers of
 * `subscriberIds` that have no message in the campaign yet, as `created`.
 */
export function countCreatedMessages(campaignId: number, subscriberIds: number[]): SQL {
  return addCounts(
    sql`select ${campaignId} as campaign_id, ${emailDomain(sql`s.email`)} as domain, 'created' as status, count(*) as n
      from (select distinct value as id from json_each(${JSON.stringify(subscriberIds)})) as r
      left join subscribers as s on s.id = r.id
      where not exists (select 1 from messages as m where m.campaign_id = ${campaignId} and m.subscriber_id = r.id)
      group by 2`,
  );
}

/**
 * Counts the end of the messages whose ids `messageIds` selects (a subquery returning ids),
 * those still queued, as `to`: the predicate of every status write here
 * (`status = 'queued'`), so it must run right before the write, in its batch.
 */
export function countQueuedEnding(messageIds: SQL, to: Exclude<MessageStatus, 'queued'>): SQL {
  return addCounts(
    sql`select m.campaign_id, ${emailDomain(sql`s.email`)} as domain, ${to} as status, count(*) as n
      from messages as m left join subscribers as s on s.id = m.subscriber_id
      where m.id in (${messageIds}) and m.status = 'queued'
      group by 1, 2`,
  );
}

/**
 * Counts the messages of `messageIds` becoming `sent`: those still queued, and those the
 * cancel sweep ended while a worker was sending them (when the relay accepts a message, it
 * was sent), which leave `cancelled`. One pass over the messages; a zero is never written.
 * Like countQueuedEnding, it must run right before the write that moves them, in its batch.
 */
export function countSent(messageIds: SQL): SQL {
  return addCounts(
    sql`select campaign_id, domain, k.status, iif(k.status = 'sent', sent, -cancelled) as n
      from (
        select m.campaign_id, ${emailDomain(sql`s.email`)} as domain, count(*) as sent, sum(m.status = 'cancelled') as cancelled
        from messages as m left join subscribers as s on s.id = m.subscriber_id
        where m.id in (${messageIds}) and m.status in ('queued', 'cancelled')
        group by 1, 2
      ) join (select 'sent' as status union all select 'cancelled') as k
      where iif(k.status = 'sent', sent, cancelled) > 0`,
  );
}

export interface MessageCounts {
  /** Messages per status (every status present, 0 when none). */
  byStatus: Record<MessageStatus, number>;
  /**
   * Messages per status of the `topDomains` recipient domains with the most messages, most
   * first (then by name); only non-zero counts. Domain '' holds addresses with no domain.
   */
  byDomain: { domain: string; status: MessageStatus; n: number }[];
}

/** Turns counter rows (created and final counts) into counts per status, queued included. */
export function byStatusOf(rows: { status: string; n: number }[]): Record<MessageStatus, number> {
  const byStatus = Object.fromEntries(messageStatuses.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const { status, n } of rows) {
    if (status === 'created') byStatus.queued += n;
    else if (status !== 'queued' && status in byStatus) {
      byStatus[status as MessageStatus] += n;
      byStatus.queued -= n;
    }
  }
  return byStatus;
}

/** byStatusOf for each group of `rows` (a page of campaigns, a campaign's domains), by `keyOf`. */
export function byStatusPer<R extends { status: string; n: number }, K>(rows: readonly R[], keyOf: (row: R) => K): Map<K, Record<MessageStatus, number>> {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return new Map([...groups].map(([key, group]) => [key, byStatusOf(group)]));
}

/** The total rows (domain `*`) of some campaigns, each with its campaign, for byStatusOf (per campaign: byStatusPer); a batch may carry it with its own reads. */
export function messageTotalsQuery(db: Database, campaignIds: number[]) {
  return db
    .select({ campaignId: counts.campaignId, status: counts.status, n: counts.n })
    .from(counts)
    .where(and(inArray(counts.campaignId, campaignIds), eq(counts.domain, ALL_DOMAINS)));
}

/** A subquery of the campaign's `limit` biggest recipient domains by messages, read from the top of the (campaign, status, n) index. */
export function topDomainsQuery(db: Database, campaignId: number, limit: number) {
  return db
    .select({ domain: counts.domain })
    .from(counts)
    .where(and(eq(counts.campaignId, campaignId), eq(counts.status, 'created'), ne(counts.domain, ALL_DOMAINS)))
    .orderBy(sql`${counts.n} desc`)
    .limit(limit);
}

/** The counter rows of the domains `top` (topDomainsQuery) selects, for byStatusOf per domain. */
export function domainRowsQuery(db: Database, campaignId: number, top: ReturnType<typeof topDomainsQuery>) {
  return db
    .select({ domain: counts.domain, status: counts.status, n: counts.n })
    .from(counts)
    .where(and(eq(counts.campaignId, campaignId), sql`${counts.domain} in ${top}`));
}

/**
 * A campaign's messages per status, and per status of its `topDomains` biggest recipient
 * domains (default 20; 0 reads the totals alone): a few primary-key reads, whatever the
 * campaign's size.
 */
export async function campaignMessageCounts(db: Database, campaignId: number, topDomains = 20): Promise<MessageCounts> {
  const totalsQuery = messageTotalsQuery(db, [campaignId]);
  if (topDomains < 1) return { byStatus: byStatusOf(await totalsQuery), byDomain: [] };
  const [totals, domainRows] = await db.batch([totalsQuery, domainRowsQuery(db, campaignId, topDomainsQuery(db, campaignId, topDomains))]);
  // A domain's statuses add up to its messages created: the biggest first.
  const size = (byStatus: Record<MessageStatus, number>) => Object.values(byStatus).reduce((a, b) => a + b, 0);
  const byDomain = [...byStatusPer(domainRows, (row) => row.domain)]
    .sort(([a, sa], [b, sb]) => size(sb) - size(sa) || (a < b ? -1 : 1))
    .flatMap(([domain, byStatus]) =>
      Object.entries(byStatus)
        .filter(([, n]) => n !== 0)
        .map(([status, n]) => ({ domain, status: status as MessageStatus, n })),
    );
  return { byStatus: byStatusOf(totals), byDomain };
}
