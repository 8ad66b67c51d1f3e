// Delivery events from the feedback loop (relay webhooks, the bounce inbox): recorded once
// each, and acted on, in one batch (one round trip, one transaction) per call. The events go
// in as one JSON parameter; every effect reads them back from `events` by key, so the message
// and subscriber are resolved in exactly one place (the INSERT). Effects are idempotent: a
// redelivered event changes nothing, whichever order events arrive in. The batch ends with
// the event rollup (./event-rollup.ts): the campaign counters move in the same transaction.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sqlJson } from '../db/sql-json';
import { campaignLists, events, listMembers, messages, subscribers, suppressionLifts, suppressions } from '../db/schema';
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../feedback/delivery-event';
import { classifyHit, type Verdict } from '../tracking/classify-hit';
import { eventRollup } from './event-rollup';
import { settingValue } from './settings';
import { TEST_MESSAGE_ID } from './test-sends';

export interface RecordResult {
  /** Events written now; repeats of events already recorded are not counted. */
  recorded: number;
  /** Addresses newly suppressed (hard bounce, complaint, unmatched unsubscribe, soft-bounce rule). */
  suppressed: number;
}

/**
 * Human or machine, for an open or click the relay tracked: machine when the relay says so
 * (`relay:<source>`), else by the user agent it reports, with the same rules as our own hits
 * (docs/machine-detection.md; relays give no method, and no address we keep). Null when
 * there is nothing to judge by (no agent): counted as a person's, as our unclassified hits are.
 */
function relayVerdict(e: DeliveryEvent): Verdict | null {
  if (e.type !== 'open' && e.type !== 'click') return null;
  if (e.machine === true) return { machine: true, reason: `relay:${e.source}` };
  if (!e.userAgent) return e.machine === false ? { machine: false, reason: 'human' } : null;
  return classifyHit({ kind: e.type, method: 'GET', userAgent: e.userAgent, ...(e.url ? { url: e.url } : {}) });
}

/** The JSON row of one event, in the shape the INSERT reads. */
function eventRow(e: DeliveryEvent) {
  const data: Record<string, unknown> = { ...e.detail };
  if (e.status) data.status = e.status;
  if (e.diagnostic) data.diagnostic = e.diagnostic.slice(0, MAX_DIAGNOSTIC);
  if (e.userAgent) data.userAgent = e.userAgent.slice(0, 512);
  if (e.machine !== undefined) data.machine = e.machine;
  if (e.providerMessageId) data.providerMessageId = e.providerMessageId;
  const verdict = relayVerdict(e);
  return {
    key: e.key,
    type: e.type,
    source: e.source,
    bounceClass: e.type === 'bounce' || e.type === 'dropped' ? (e.bounceClass ?? null) : null,
    messageId: e.messageId ?? null,
    providerMessageId: e.providerMessageId ?? null,
    recipient: e.recipient.trim().toLowerCase(),
    at: e.occurredAt,
    url: e.type === 'click' ? (e.url ?? null) : null,
    data: JSON.stringify(data),
    machine: verdict ? Number(verdict.machine) : null,
    reason: verdict?.reason ?? null,
  };
}

/**
 * Records events and applies their effects:
 * - a hard bounce or a complaint suppresses the address;
 * - an unsubscribe unsubscribes the recipient from the campaign's lists (as our own
 *   unsubscribe page does), or suppresses the address when it matches no message of ours;
 * - soft bounces from `softBounceLimit` distinct messages within `softBounceDays` retire it.
 * The address is the one the relay reports delivering to; for a DSN in the bounce inbox, the
 * subscriber of the message its VERP address names (a forwarding alias in a DSN must not
 * suppress someone else). Feedback
 * that happened before the marketer last lifted the address's suppression is recorded but
 * does not suppress it again.
 */
export async function recordDeliveryEvents(db: Database, batch: readonly DeliveryEvent[]): Promise<RecordResult> {
  if (batch.length === 0) return { recorded: 0, suppressed: 0 };
  // Test sends (shared/queries/test-sends.ts) leave no trace: their feedback is not ours to act on.
  const ours = batch.filter((e) => e.messageId !== TEST_MESSAGE_ID);
  if (ours.length === 0) return { recorded: 0, suppressed: 0 };
  const rows = sqlJson(ours.map(eventRow));
  const keys = sqlJson(ours.map((e) => e.key));
  // The address the feedback is about. A relay (authenticated) reports the exact address it
  // delivered to. Mail to the bounce inbox is not authenticated beyond the message it names,
  // and a DSN may name a forwarding alias: there only the subscriber of that message counts,
  // and nobody when the message is gone (a deleted subscriber's old return path must not
  // suppress whatever address a forged DSN names).
  const sentTo = sql`case when e.value ->> 'source' = 'bounce-inbox' then ms.email
    else coalesce(nullif(e.value ->> 'recipient', ''), ms.email) end`;
  const now = Date.now();
  // Events of this call, as recorded (the first recording wins for repeats).
  const thisBatch = sql`(select ev.* from json_each(${keys}) as k join ${events} as ev on ev.key = k.value)`;
  // Feedback from before the marketer lifted the address's suppression does not count again.
  const beforeLift = (alias: string) =>
    sql`exists (select 1 from ${suppressionLifts} as l where l.email = ${sql.raw(alias)}.recipient and l.lifted_at >= ${sql.raw(alias)}.occurred_at)`;

  const [inserted, ...effects] = await db.batch([
    // Our id first; the relay's id when ours did not come back. An id naming no message
    // leaves the event unmatched (kept, with its recipient), never an error. The events are
    // read from a materialized copy of json_each, as in hits.ts: json_each renders `value`
    // anew for every field read, and SQLite parses that text again each time.
    db.run(sql`
      with batch as materialized (select value from json_each(${rows}))
      insert into ${events} (key, type, message_id, campaign_id, subscriber_id, occurred_at, source, bounce_class, recipient, url, data, machine, machine_reason)
      select e.value ->> 'key', e.value ->> 'type', m.id, m.campaign_id, coalesce(m.subscriber_id, s.id), e.value ->> 'at',
             e.value ->> 'source', e.value ->> 'bounceClass', ${sentTo}, e.value ->> 'url', e.value ->> 'data', e.value ->> 'machine', e.value ->> 'reason'
      from batch as e
      left join ${messages} as m on m.id = coalesce(
        (select id from ${messages} where id = e.value ->> 'messageId'),
        (select id from ${messages} where provider_message_id = e.value ->> 'providerMessageId' limit 1))
      left join ${subscribers} as ms on ms.id = m.subscriber_id
      left join ${subscribers} as s on m.id is null and s.email = e.value ->> 'recipient'
      where true
      on conflict (key) do nothing`),
    db.run(sql`
      insert into ${suppressions} (email, reason, detail, event_key, created_at)
      select ev.recipient,
             case when ev.type = 'complaint' then 'complaint' when ev.type = 'unsubscribe' then 'unsubscribe' else 'hard_bounce' end,
             coalesce(ev.data ->> 'diagnostic', ev.data ->> 'status', ev.source), ev.key, ${now}
      from ${thisBatch} as ev
      where coalesce(ev.recipient, '') <> '' and not ${beforeLift('ev')}
        and ((ev.type = 'bounce' and ev.bounce_class = 'hard') or ev.type = 'complaint' or (ev.type = 'unsubscribe' and ev.message_id is null))
      order by ev.occurred_at
      on conflict (email) do nothing`),
    // Only memberships unchanged since the unsubscribe happened: a redelivered or late
    // unsubscribe must not undo a re-subscription made after it.
    db.run(sql`
      update ${listMembers} set status = 'unsubscribed', updated_at = ${now}
      where status <> 'unsubscribed'
        and exists (
          select 1
          from ${thisBatch} as ev
          join ${campaignLists} as cl on cl.campaign_id = ev.campaign_id
          where ev.type = 'unsubscribe' and cl.list_id = ${listMembers}.list_id
            and ev.subscriber_id = ${listMembers}.subscriber_id and ${listMembers}.updated_at <= ev.occurred_at)`),
    // Distinct messages (ours, else the relay's id), so a relay reporting one bounce several times counts once.
    db.run(sql`
      insert into ${suppressions} (email, reason, detail, event_key, created_at)
      select b.recipient, 'soft_bounce', count(distinct coalesce(b.message_id, b.data ->> 'providerMessageId', b.key)) || ' soft bounces in ' || ${settingValue('softBounceDays')} || ' days', max(b.key), ${now}
      from ${events} as b
      where b.type = 'bounce' and b.bounce_class = 'soft'
        and b.recipient in (select ev.recipient from ${thisBatch} as ev where ev.type = 'bounce' and ev.bounce_class = 'soft')
        and b.occurred_at >= ${now} - ${settingValue('softBounceDays')} * 86400000 and not ${beforeLift('b')}
      group by b.recipient
      having count(distinct coalesce(b.message_id, b.data ->> 'providerMessageId', b.key)) >= ${settingValue('softBounceLimit')}
      on conflict (email) do nothing`),
    ...eventRollup(db),
  ]);
  const suppressed = effects[0].rowsAffected + effects[2].rowsAffected;
  return { recorded: inserted.rowsAffected, suppressed };
}
