// Tracking hits (opens and clicks): written in batches, idempotent on `events.key`, with
// the campaign and subscriber resolved from the message row inside the same statement, so
// the edge never reads before it writes. Each hit is flagged human or machine: at request
// time (shared/tracking/classify-hit.ts) and here, against the send time and the message's
// other clicks.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { precompiled } from '../db/precompiled';
import { campaigns, events, messages } from '../db/schema';
import { classifyHit, HONEYPOT_URL, type MachineSignatures } from '../tracking/classify-hit';
import signatures from '../tracking/machine-signatures.json';
import { eventRollup } from './event-rollup';
import { MAX_USER_AGENT, type HitRow } from '../tracking/hit';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Replaces lone UTF-16 surrogates: SQLite would store them as invalid UTF-8, and the libSQL
 * Node binding aborts the whole process when it reads such a value back.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** `events.data` for anything a client sent us: its user agent and method, never its IP. */
export function clientData(userAgent: string | undefined, method: string) {
  return userAgent ? { userAgent: wellFormed(userAgent.slice(0, MAX_USER_AGENT)), method: wellFormed(method) } : { method: wellFormed(method) };
}

const { earlyClickSeconds, burstWindowSeconds, burstMinDistinctLinks } = (signatures as MachineSignatures).writeTime;
const EARLY_CLICK_MS = earlyClickSeconds * 1000;
const BURST_WINDOW_MS = burstWindowSeconds * 1000;

/** The request-time verdict, or one made now from what the hit kept (a hit queued before verdicts existed: no address). */
function requestVerdict(h: HitRow): { machine: boolean; reason: string } {
  if (h.machine !== undefined && h.reason !== undefined) return { machine: h.machine, reason: h.reason };
  return classifyHit({ kind: h.kind, method: h.method, userAgent: h.userAgent ?? null, ...(h.url !== undefined ? { url: h.url } : {}) });
}

/**
 * The one INSERT for a batch of hits. Hits go in as one JSON parameter (so a batch of any
 * size is one statement under SQLite's parameter limit) and join `messages` by primary key:
 * hits for a message that has no row are dropped, not errors. The join also brings the
 * message's `sent_at`, so the early-click rule (classifyTiming) costs nothing more: a click
 * sooner than `earlyClickSeconds` after the send is `early-click`, unless the request-time
 * verdict already named a machine. Anonymous hits (a campaignId, no messageId) join
 * `campaigns` instead: stored with the campaign and no message or subscriber; hits of a
 * campaign that has no row are dropped too.
 */
export function hitsInsert(hits: readonly HitRow[]): SQL {
  const rows = hits.map((h) => {
    const verdict = requestVerdict(h);
    return {
      key: h.key,
      type: h.kind,
      messageId: h.messageId ?? null,
      campaignId: h.messageId === undefined ? (h.campaignId ?? null) : null,
      at: h.at,
      url: h.kind === 'click' && h.url !== undefined ? wellFormed(h.url) : null,
      data: JSON.stringify(clientData(h.userAgent, h.method)),
      machine: verdict.machine ? 1 : 0,
      reason: wellFormed(verdict.reason),
    };
  });
  // Each field is read once, from a materialized copy of json_each: json_each renders an
  // object anew each time its `value` is read, and SQLite parses that text again for every
  // field and every use of it (a flattened subquery repeats its expressions). Read from json_each
  // directly, the INSERT took twice the CPU (bench/event-ingest.ts).
  // `where true` settles SQLite's parsing ambiguity between a join's ON and the upsert's ON CONFLICT.
  return sql`
    with batch as materialized (select value from json_each(${JSON.stringify(rows)})),
    hit as materialized (
      select value ->> 'key' as key, value ->> 'type' as type, value ->> 'messageId' as message_id, value ->> 'campaignId' as campaign_id,
             value ->> 'at' as at, value ->> 'url' as url, value ->> 'data' as data, value ->> 'machine' as machine, value ->> 'reason' as reason
      from batch
    )
    insert into ${events} (key, type, message_id, campaign_id, subscriber_id, occurred_at, url, data, machine, machine_reason)
    select key, type, message_id, campaign_id, subscriber_id, at, url, data,
           machine or early, case when machine then reason when early then 'early-click' else reason end
    from (
      select h.key, h.type, m.id as message_id, coalesce(m.campaign_id, c.id) as campaign_id, m.subscriber_id,
             h.at, h.url, h.data, h.machine, h.reason,
             (h.type = 'click' and m.sent_at is not null and h.at - m.sent_at < ${EARLY_CLICK_MS}) as early
      from hit as h
      left join ${messages} as m on m.id = h.message_id
      -- Anonymous hits name only their campaign: stored with no message and no subscriber.
      left join ${campaigns} as c on h.message_id is null and c.id = h.campaign_id
      where m.id is not null or c.id is not null
    )
    where true
    on conflict (key) do nothing`;
}

const near = (alias: string, at: SQL, start: number, end: number) =>
  sql`${sql.raw(alias)}.message_id = e.message_id and ${sql.raw(alias)}.type = 'click' and ${sql.raw(alias)}.occurred_at between ${at} - ${start} and ${at} + ${end}`;
/** A honeypot click of the message of `e` (the click being judged) within the burst window. */
const HONEYPOT_NEAR = precompiled(
  sql`exists (select 1 from ${events} as hp where ${near('hp', sql`e.occurred_at`, BURST_WINDOW_MS, BURST_WINDOW_MS)} and substr(hp.url, 1, ${HONEYPOT_URL.length}) = ${HONEYPOT_URL})`,
);
/** A window of the burst's width, starting at a click of the message of `e` before it, holding `burstMinDistinctLinks` distinct links. */
const BURST_NEAR = precompiled(sql`exists (
  select 1 from ${events} as s where ${near('s', sql`e.occurred_at`, BURST_WINDOW_MS, 0)}
    and (select count(*) from (select distinct b.url from ${events} as b where ${near('b', sql`s.occurred_at`, 0, BURST_WINDOW_MS)}
         and b.message_id = s.message_id limit ${burstMinDistinctLinks})) >= ${burstMinDistinctLinks})`);

/**
 * The write-time click rules that need a message's other clicks (classifyClickBurst), run
 * after the INSERT in the same batch: the clicks that complete a burst often arrive in a
 * later batch than its first ones, so the earlier clicks must be flagged again, which a
 * subquery in the INSERT could not do. For each human click of the batch's messages (read
 * through `events_message`): within `burstWindowSeconds` of a honeypot click it is
 * `honeypot-burst`; inside a window of that width holding `burstMinDistinctLinks` distinct
 * links it is `click-burst`. Each window is tried from one of the message's clicks (the
 * earliest click of any qualifying window starts one), and its count stops at the minimum.
 */
export function clickBurstUpdate(hits: readonly HitRow[]): SQL | null {
  // Anonymous clicks name no message: no burst to find among them.
  const clicks = hits.filter((h) => h.kind === 'click' && h.messageId !== undefined);
  if (clicks.length === 0) return null;
  const messageIds = [...new Set(clicks.map((h) => h.messageId))];
  // Only clicks near this batch's can join a burst with them.
  const from = Math.min(...clicks.map((h) => h.at)) - BURST_WINDOW_MS;
  const to = Math.max(...clicks.map((h) => h.at)) + BURST_WINDOW_MS;
  return sql`
    update ${events} as e
    set machine = 1, machine_reason = case when ${HONEYPOT_NEAR} then 'honeypot-burst' else 'click-burst' end
    where e.message_id in (select value from json_each(${JSON.stringify(messageIds)}))
      and e.type = 'click' and e.machine = 0 and e.occurred_at between ${from} and ${to}
      and (${HONEYPOT_NEAR} or ${BURST_NEAR})`;
}

/**
 * Writes a batch of hits with one INSERT, the burst rule's UPDATE and the event rollup, in one
 * round trip (one transaction); returns the rows inserted (repeats and unknown messages excluded).
 * The rollup goes last, so it counts this batch's hits with their final verdicts.
 */
export async function recordHits(db: Database, hits: readonly HitRow[]): Promise<number> {
  if (hits.length === 0) return 0;
  const burst = clickBurstUpdate(hits);
  const [inserted] = await db.batch([db.run(hitsInsert(hits)), ...(burst ? [db.run(burst)] : []), ...eventRollup(db)]);
  return inserted.rowsAffected;
}
