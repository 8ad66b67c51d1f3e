// The event rollup: counts every event past the watermark (`event_rollup.last_event_id`)
// into campaign_event_counts, then moves the watermark to the newest event. Every writer of
// `events` appends these two statements to the batch it already runs (hits.ts,
// delivery-events.ts, events.ts): one round trip, one transaction, so the counters are never
// behind the events and a retried batch never counts twice. SQLite serializes writes, so
// inside the transaction no event with a lower id than the newest can appear later.
//
// What one event adds (the doc comments of shared/db/tables/analytics.ts are the contract):
// - rows `all` (key ''), `domain` (the recipient's domain), `hour` (opens and clicks: the
//   hour's start in epoch ms), `link` (clicks: the URL), of its type: total +1, human_total +1
//   unless a machine made it, messages +1 when no event of the same (campaign, type, message)
//   (for `link`: and URL) has a smaller id, human_messages +1 when it is human and no human
//   one has; so a message counts in the `hour` and `domain` of its first such event;
// - `reason` (machine opens and clicks: the reason code): total +1;
// - a hard bounce also counts as type `bounce-hard` (rows `all` and `domain`), its messages
//   being the messages with a hard bounce, so soft = bounce.messages − bounce-hard.messages;
// - a machine's open or click also counts as type `open-machine` or `click-machine` (row
//   `all`), its messages being the messages with a machine event (the stats' machine.unique:
//   a message may have both a person's and a machine's, so it is not messages − human_messages).
// Events with no campaign count nowhere, but the watermark passes them too; events with a
// campaign but no message (anonymous tracking) count in totals, never in `messages`.
//
// Later flips of an event from human to machine (hits.ts's clickBurstUpdate) are kept exact
// by the `event_counts_machine_flip` trigger of migration 0012, which restates this logic
// in SQL: a change here must change it there (event-rollup.test.ts compares both with a
// recount from scratch).
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { precompiled } from '../db/precompiled';
import { emailDomain } from './message-counts';

/** The width of an `hour` bucket. */
export const HOUR_MS = 3_600_000;

const WATERMARK = sql`(select last_event_id from event_rollup where id = 1)`;

/** A probe for an earlier event of the same (campaign, type, message) as `e`, through events_campaign_type. */
function earlier(extra: SQL): SQL {
  return sql`not exists (select 1 from events as p
    where p.campaign_id = e.c and p.type = e.type and p.message_id = e.message_id and p.id < e.id${extra})`;
}

const HUMAN_P = sql` and coalesce(p.machine, 0) = 0`;
/** No click of the URL among the message's events already counted. */
const noCountedClick = (extra: SQL) =>
  sql`not exists (select 1 from events as p
    where p.campaign_id = e.c and p.type = 'click' and p.message_id = e.message_id and p.id <= ${WATERMARK} and p.url = e.url${extra})`;

/**
 * The INSERT that counts the events past the watermark: one pass over them (`pending`, a
 * materialized CTE, so that each event's address and first-of-its-kind probe are computed once:
 * a flattened subquery repeats its expressions at every use), then the events tallied by all
 * that decides their counters (`tally`: one sort of the batch; a batch's events mostly share
 * campaign, hour, domain and links, so it makes far fewer tallies than events), one row per
 * counter a tally touches, added with an upsert. Grouping the counter rows themselves, three or
 * four per event, cost 1.5 times as much in bench/event-ingest.ts's batches of 1,000 hits (a
 * batch of events that all differ pays one sort more than that did). Each event is probed once for
 * an earlier event of its (campaign, type, message), on the covering index; only when there
 * is one (a repeated open, a second click) do the other probes read rows, the message's
 * earlier events of the type until one matches. A click's URL is not in the index, so a
 * probe by URL would read all the message's earlier clicks, k² for a scanner clicking k
 * links in a batch: the first click per (message, URL) within the batch comes from one
 * GROUP BY of the batch's clicks instead, and only it probes the events already counted.
 * Window functions over the batch for every "first" measured slower than these probes (a
 * sort each). The Node host keeps the compiled statement (node/open-database.ts).
 */
const rollupCountsStatement: SQL = precompiled(sql`
  with batch_links as materialized (
    select min(id) as id, min(case when coalesce(machine, 0) = 0 then id end) as human_id
    from events
    where id > ${WATERMARK} and campaign_id is not null and type = 'click' and url is not null
    group by campaign_id, message_id, url
  ),
  pending as materialized (
    select e.id, e.campaign_id as c, e.type, e.url, e.message_id, e.machine_reason as reason,
           coalesce(e.machine, 0) = 0 as human,
           e.type = 'bounce' and e.bounce_class is 'hard' as hard,
           e.type = 'click' and e.url is not null as link,
           cast(e.occurred_at - e.occurred_at % ${sql.raw(String(HOUR_MS))} as text) as hour,
           coalesce(nullif(e.recipient, ''), (select email from subscribers where id = e.subscriber_id), '') as address,
           e.message_id is null as anonymous,
           e.message_id is not null and not exists (select 1 from events as p
             where p.campaign_id = e.campaign_id and p.type = e.type and p.message_id = e.message_id and p.id < e.id) as first
    from events as e
    where e.id > ${WATERMARK} and e.campaign_id is not null
  ),
  fresh as (
    -- CASE, not AND/OR: SQLite evaluates both sides of those, and the probes are the cost.
    select c, type, url, hour, reason, human, first,
           case when not human or anonymous then 0 when first then 1 else ${earlier(HUMAN_P)} end as first_human,
           case when not link then null when anonymous then 0 when first then 1 when id in (select id from batch_links) then ${noCountedClick(sql``)} else 0 end as first_link,
           case when not (link and human) or anonymous then 0 when first then 1 when id in (select human_id from batch_links) then ${noCountedClick(HUMAN_P)} else 0 end as first_link_human,
           case when not hard then null when anonymous then 0 when first then 1 else ${earlier(sql` and p.bounce_class = 'hard'`)} end as first_hard,
           case when human then null when anonymous then 0 when first then 1 else ${earlier(sql` and coalesce(p.machine, 0) <> 0`)} end as first_machine,
           ${emailDomain(sql`address`)} as domain
    from pending as e
  ),
  tally as materialized (
    select c, type, url, hour, reason, human, first, first_human, first_link, first_link_human, first_hard, first_machine, domain, count(*) as n
    from fresh
    group by c, type, url, hour, reason, human, first, first_human, first_link, first_link_human, first_hard, first_machine, domain
  ),
  counted (c, dimension, key, type, total, human_total, messages, human_messages) as (
    select c, 'all', '', type, n, human * n, first * n, first_human * n from tally
    union all select c, 'domain', domain, type, n, human * n, first * n, first_human * n from tally
    union all select c, 'hour', hour, type, n, human * n, first * n, first_human * n from tally where type = 'open' or type = 'click'
    union all select c, 'link', url, type, n, human * n, first_link * n, first_link_human * n from tally where first_link is not null
    union all select c, 'reason', coalesce(reason, 'unknown'), type, n, 0, 0, 0 from tally where not human
    union all select c, 'all', '', type || '-machine', n, 0, first_machine * n, 0 from tally where first_machine is not null
    union all select c, 'all', '', 'bounce-hard', n, n, first_hard * n, first_hard * n from tally where first_hard is not null
    union all select c, 'domain', domain, 'bounce-hard', n, n, first_hard * n, first_hard * n from tally where first_hard is not null
  )
  insert into campaign_event_counts (campaign_id, dimension, key, type, total, human_total, messages, human_messages)
  select c, dimension, key, type, sum(total), sum(human_total), sum(messages), sum(human_messages)
  from counted where true
  group by c, dimension, key, type
  on conflict (campaign_id, dimension, key, type) do update set
    total = total + excluded.total,
    human_total = human_total + excluded.human_total,
    messages = messages + excluded.messages,
    human_messages = human_messages + excluded.human_messages`);

/** Moves the watermark to the newest event (never back: ids are not reused, events are never deleted). */
const rollupWatermarkStatement: SQL = sql`
  update event_rollup set last_event_id = max(last_event_id, coalesce((select max(id) from events), 0)) where id = 1`;

/** The two statements to append to a batch that writes events, in this order. */
export function eventRollup(db: Database) {
  return [db.run(rollupCountsStatement), db.run(rollupWatermarkStatement)] as const;
}

/** Counts whatever events are past the watermark, on their own (events written by hand, tests); writers append eventRollup instead. */
export async function rollUpEvents(db: Database): Promise<void> {
  await db.batch(eventRollup(db));
}
