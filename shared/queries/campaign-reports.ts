// Campaign reports beyond the stats: opens and clicks over time, outcomes per recipient
// domain, and the campaign's bounces and complaints. The first two read the counters
// (campaign_event_counts, kept by ./event-rollup.ts): a few hundred rows whatever the
// campaign's size. The bounce list reads events through `events_campaign_feedback`, a
// partial index of just the campaign's bounces and complaints, newest recorded first.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { campaignEventCounts, campaigns, events } from '../db/schema';
import { HOUR_MS } from './event-rollup';
import { byStatusPer, domainRowsQuery, topDomainsQuery } from './message-counts';

export const DAY_MS = 24 * HOUR_MS;
/** Opens and clicks go by the hour for this many days after the start, by the day after. */
const HOURLY_DAYS = 7;

/** Events in a bucket, and messages whose first such event fell in it. */
export interface BucketTally {
  total: number;
  unique: number;
  humanTotal: number;
  humanUnique: number;
}

export interface TimeseriesPoint {
  /** Epoch ms of the bucket's start. */
  at: number;
  size: 'hour' | 'day';
  opened: BucketTally;
  clicked: BucketTally;
}

/** The `hour` counters of a campaign's opens and clicks: one index range of campaign_event_counts. */
export function timeseriesQueries(db: Database, campaignId: number) {
  return [
    db.select({ startedAt: campaigns.startedAt }).from(campaigns).where(eq(campaigns.id, campaignId)),
    db
      .select({
        key: campaignEventCounts.key,
        type: campaignEventCounts.type,
        total: campaignEventCounts.total,
        humanTotal: campaignEventCounts.humanTotal,
        messages: campaignEventCounts.messages,
        humanMessages: campaignEventCounts.humanMessages,
      })
      .from(campaignEventCounts)
      .where(and(eq(campaignEventCounts.campaignId, campaignId), eq(campaignEventCounts.dimension, 'hour'), inArray(campaignEventCounts.type, ['open', 'click']))),
  ] as const;
}

/**
 * Opens and clicks per hour for the first HOURLY_DAYS days after the campaign started (its
 * `startedAt`, else its first open or click), per day after (days counted from that start's
 * hour, so no bucket straddles the change); only buckets with events, oldest first. Null when
 * there is no such campaign.
 */
export async function campaignTimeseries(db: Database, campaignId: number): Promise<TimeseriesPoint[] | null> {
  const [campaign, rows] = await db.batch(timeseriesQueries(db, campaignId));
  if (!campaign[0]) return null;
  const hours = rows.map((r) => ({ ...r, hour: Number(r.key) })).filter((r) => Number.isSafeInteger(r.hour));
  if (hours.length === 0) return [];
  const start = campaign[0].startedAt ?? Math.min(...hours.map((r) => r.hour));
  const daysFrom = start - (start % HOUR_MS) + HOURLY_DAYS * DAY_MS;
  const points = new Map<number, TimeseriesPoint>();
  for (const r of hours) {
    const daily = r.hour >= daysFrom;
    const at = daily ? daysFrom + Math.floor((r.hour - daysFrom) / DAY_MS) * DAY_MS : r.hour;
    let point = points.get(at);
    if (!point) {
      point = { at, size: daily ? 'day' : 'hour', opened: emptyBucket(), clicked: emptyBucket() };
      points.set(at, point);
    }
    const tally = r.type === 'open' ? point.opened : point.clicked;
    tally.total += r.total;
    tally.unique += r.messages;
    tally.humanTotal += r.humanTotal;
    tally.humanUnique += r.humanMessages;
  }
  return [...points.values()].sort((a, b) => a.at - b.at);
}

function emptyBucket(): BucketTally {
  return { total: 0, unique: 0, humanTotal: 0, humanUnique: 0 };
}

/** A campaign's outcomes at one recipient domain, in distinct messages. */
export interface DomainReport {
  domain: string;
  sent: number;
  delivered: number;
  bounced: { hard: number; soft: number };
  complained: number;
  opened: { unique: number; humanUnique: number };
  clicked: { unique: number; humanUnique: number };
  unsubscribed: number;
}

/** The `domain` counters of the domains `top` selects: one primary-key lookup per domain and type. */
function domainCountsQuery(db: Database, campaignId: number, top: ReturnType<typeof topDomainsQuery>) {
  return db
    .select({ domain: campaignEventCounts.key, type: campaignEventCounts.type, messages: campaignEventCounts.messages, humanMessages: campaignEventCounts.humanMessages })
    .from(campaignEventCounts)
    .where(and(eq(campaignEventCounts.campaignId, campaignId), eq(campaignEventCounts.dimension, 'domain'), inArray(campaignEventCounts.key, top)));
}

/**
 * What happened at a campaign's `limit` biggest recipient domains (by messages, from
 * campaign_message_counts), the most sent first; null when there is no such campaign. One
 * round trip: the campaign, its top domains' message counts and their event counters.
 */
export async function campaignDomains(db: Database, campaignId: number, limit: number): Promise<DomainReport[] | null> {
  const biggest = topDomainsQuery(db, campaignId, limit);
  const [campaign, domainRows, counts] = await db.batch([
    db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaignId)),
    domainRowsQuery(db, campaignId, biggest),
    domainCountsQuery(db, campaignId, biggest),
  ]);
  if (campaign.length === 0) return null;
  // The biggest domains by messages (created), ordered here by messages sent.
  const top = [...byStatusPer(domainRows, (row) => row.domain)]
    .map(([domain, byStatus]) => [domain, byStatus.sent] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const byKey = new Map(counts.map((c) => [`${c.domain}\n${c.type}`, c]));
  const of = (domain: string, type: string) => byKey.get(`${domain}\n${type}`) ?? { messages: 0, humanMessages: 0 };
  return top.map(([domain, n]) => {
    const hard = of(domain, 'bounce-hard').messages;
    return {
      domain,
      sent: n,
      delivered: of(domain, 'delivered').messages,
      bounced: { hard, soft: of(domain, 'bounce').messages - hard },
      complained: of(domain, 'complaint').messages,
      opened: { unique: of(domain, 'open').messages, humanUnique: of(domain, 'open').humanMessages },
      clicked: { unique: of(domain, 'click').messages, humanUnique: of(domain, 'click').humanMessages },
      unsubscribed: of(domain, 'unsubscribe').messages,
    };
  });
}

/** One bounce or complaint as the report shows it. */
export interface FeedbackView {
  id: number;
  type: 'bounce' | 'complaint';
  /** The address the source reported (for a bounce-inbox DSN: the message's subscriber). */
  recipient: string | null;
  bounceClass: 'hard' | 'soft' | null;
  status: string | null;
  diagnostic: string | null;
  /** A complaint's feedback type (`abuse`, …), when the source said. */
  feedbackType: string | null;
  source: string | null;
  messageId: number | null;
  subscriberId: number | null;
  at: number;
}

/** The terms of the partial index `events_campaign_feedback`: a query uses the index only when it repeats them exactly. */
const IS_FEEDBACK = sql`(${events.type} = 'bounce' or ${events.type} = 'complaint')`;

/** A page of a campaign's bounces and complaints, newest recorded first (`before`: the last id of the previous page). */
export function campaignFeedbackQuery(db: Database, campaignId: number, limit: number, before?: number) {
  return db
    .select({
      id: events.id,
      type: sql<'bounce' | 'complaint'>`${events.type}`,
      recipient: events.recipient,
      bounceClass: events.bounceClass,
      status: sql<string | null>`${events.data} ->> 'status'`,
      diagnostic: sql<string | null>`${events.data} ->> 'diagnostic'`,
      feedbackType: sql<string | null>`${events.data} ->> 'feedbackType'`,
      source: events.source,
      messageId: events.messageId,
      subscriberId: events.subscriberId,
      at: events.occurredAt,
    })
    .from(events)
    .where(sql`${events.campaignId} = ${campaignId} and ${IS_FEEDBACK}${before === undefined ? sql`` : sql` and ${events.id} < ${before}`}`)
    .orderBy(sql`${events.id} desc`)
    .limit(limit + 1);
}

/** A page of a campaign's bounces and complaints (`limit + 1` rows fetched; see ./page.ts); null when there is no such campaign. */
export async function campaignFeedback(db: Database, campaignId: number, limit: number, before?: number): Promise<FeedbackView[] | null> {
  const [campaign, rows] = await db.batch([
    db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaignId)),
    campaignFeedbackQuery(db, campaignId, limit, before),
  ]);
  return campaign[0] ? rows : null;
}
