// Campaign statistics: seven grouped reads in one batch (one round trip, one snapshot).
// Each read is a range of an index: `messages_campaign_status` covers the message counts,
// `events_campaign_type` narrows the events to the campaign (and, for links, bounces and
// the human/machine split, to clicks, bounces or opens and clicks);
// the plan is checked in stats.test.ts, so a change that brings a full scan fails a test.
// Opens and clicks recorded before they were classified (`machine` null) count as human.
import { and, count, countDistinct, desc, eq, inArray, sql } from 'drizzle-orm';
import type { CampaignStatus, EventType, MessageStatus } from '../db/schema';
import type { Database } from '../db/database';
import { campaigns, events, messages } from '../db/schema';

export interface Tally {
  total: number;
  /** Distinct messages. */
  unique: number;
}

/** Opens or clicks, all of them and split by who made them (docs/machine-detection.md). */
export interface EngagementTally extends Tally {
  human: Tally;
  /** Mail proxies, privacy protection and scanners. */
  machine: Tally;
  /** Machine hits (not messages) per reason code, e.g. `{ "apple-mpp": 120, "scanner:mimecast": 4 }`. */
  machineReasons: Record<string, number>;
}

export interface LinkTally extends Tally {
  url: string;
  /** The link's clicks made by people. */
  human: Tally;
}

/** Bounced messages by class; a message counts once, as hard if any of its bounces was. */
export interface BounceTally {
  /** Messages with a hard bounce (their address is suppressed). */
  hard: number;
  /** Messages that bounced, but never hard (a bounce the source did not classify counts here). */
  soft: number;
}

export interface CampaignStats {
  campaignId: number;
  status: CampaignStatus;
  /** Messages rows: recipients = queued + sent + failed + skipped. */
  recipients: number;
  /** Awaiting an outcome. */
  queued: number;
  sent: number;
  failed: number;
  /** Never sent by our choice (`skipped` and `cancelled`). */
  skipped: number;
  /** Messages with at least one event of the kind (a repeated webhook counts once). */
  delivered: number;
  bounced: BounceTally;
  /** Messages the relay reported as delayed and still retrying (they may yet be delivered or bounce). */
  deferred: number;
  /** Messages the relay refused to send (e.g. an address on its own suppression list). */
  dropped: number;
  complained: number;
  opened: EngagementTally;
  clicked: EngagementTally;
  unsubscribed: Tally;
  topLinks: LinkTally[];
}

/** How many links `topLinks` lists, most clicked first. */
export const TOP_LINKS = 10;

const MESSAGE_BUCKET: Record<MessageStatus, 'queued' | 'sent' | 'failed' | 'skipped'> = {
  queued: 'queued',
  sent: 'sent',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'skipped',
};

const ENGAGEMENT = ['open', 'click'] as const;
/** A hit not known to be a machine's: human, or recorded before hits were classified. */
const isHuman = sql`coalesce(${events.machine}, 0) = 0`;

/** The seven reads behind campaignStats, exported so a test can check their query plans. */
export function campaignStatsQueries(db: Database, campaignId: number) {
  const engagement = and(eq(events.campaignId, campaignId), inArray(events.type, [...ENGAGEMENT]));
  return [
    db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId)),
    db
      .select({ status: messages.status, n: count() })
      .from(messages)
      .where(eq(messages.campaignId, campaignId))
      .groupBy(messages.status),
    db
      .select({ type: events.type, total: count(), unique: countDistinct(events.messageId) })
      .from(events)
      .where(eq(events.campaignId, campaignId))
      .groupBy(events.type),
    db
      .select({
        url: events.url,
        total: count(),
        unique: countDistinct(events.messageId),
        humanTotal: sql<number>`count(*) filter (where ${isHuman})`,
        humanUnique: sql<number>`count(distinct ${events.messageId}) filter (where ${isHuman})`,
      })
      .from(events)
      .where(and(eq(events.campaignId, campaignId), eq(events.type, 'click')))
      .groupBy(events.url)
      .orderBy(desc(count()), events.url)
      .limit(TOP_LINKS),
    // One row per bounced message (its hardest class), then counted: unique messages per class.
    db
      .select({ hard: sql<number | null>`sum(hard)`, bounced: count() })
      .from(
        db
          .select({ hard: sql<number>`max(${events.bounceClass} = 'hard')`.as('hard') })
          .from(events)
          .where(and(eq(events.campaignId, campaignId), eq(events.type, 'bounce')))
          .groupBy(events.messageId)
          .as('bounced_messages'),
      ),
    db
      .select({ type: events.type, machine: sql<number>`not ${isHuman}`, total: count(), unique: countDistinct(events.messageId) })
      .from(events)
      .where(engagement)
      .groupBy(events.type, sql`not ${isHuman}`),
    db
      .select({ type: events.type, reason: events.machineReason, total: count() })
      .from(events)
      .where(and(engagement, eq(events.machine, true)))
      .groupBy(events.type, events.machineReason),
  ] as const;
}

/** Sending outcomes and engagement for one campaign, or null when there is no such campaign. */
export async function campaignStats(db: Database, campaignId: number): Promise<CampaignStats | null> {
  if (!Number.isSafeInteger(campaignId) || campaignId < 1) return null;
  const [campaign, messageCounts, eventCounts, links, [bounces], byWho, reasons] = await db.batch(campaignStatsQueries(db, campaignId));
  const status = campaign[0]?.status;
  if (!status) return null;

  const stats: CampaignStats = {
    campaignId,
    status,
    recipients: 0,
    queued: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    delivered: 0,
    bounced: { hard: 0, soft: 0 },
    deferred: 0,
    dropped: 0,
    complained: 0,
    opened: emptyEngagement(),
    clicked: emptyEngagement(),
    unsubscribed: { total: 0, unique: 0 },
    topLinks: links.flatMap((l) =>
      l.url === null ? [] : [{ url: l.url, total: l.total, unique: l.unique, human: { total: l.humanTotal, unique: l.humanUnique } }],
    ),
  };
  for (const { status: s, n } of messageCounts) {
    stats.recipients += n;
    // A status this code does not know yet still counts as a recipient.
    const bucket = MESSAGE_BUCKET[s] as (typeof MESSAGE_BUCKET)[MessageStatus] | undefined;
    if (bucket) stats[bucket] += n;
  }
  const byType = new Map<EventType, Tally>(eventCounts.map((e) => [e.type, { total: e.total, unique: e.unique }]));
  const tally = (type: EventType): Tally => byType.get(type) ?? { total: 0, unique: 0 };
  stats.delivered = tally('delivered').unique;
  const hard = Number(bounces?.hard ?? 0);
  stats.bounced = { hard, soft: (bounces?.bounced ?? 0) - hard };
  stats.deferred = tally('deferred').unique;
  stats.dropped = tally('dropped').unique;
  stats.complained = tally('complaint').unique;
  stats.opened = { ...stats.opened, ...tally('open') };
  stats.clicked = { ...stats.clicked, ...tally('click') };
  stats.unsubscribed = tally('unsubscribe');
  const engagement = (type: string) => (type === 'open' ? stats.opened : type === 'click' ? stats.clicked : undefined);
  for (const row of byWho) {
    const target = engagement(row.type);
    if (target) target[row.machine ? 'machine' : 'human'] = { total: row.total, unique: row.unique };
  }
  for (const row of reasons) {
    const target = engagement(row.type);
    // A machine hit always has a reason; `unknown` only guards against a row written by hand.
    if (target) target.machineReasons[row.reason ?? 'unknown'] = row.total;
  }
  return stats;
}

function emptyEngagement(): EngagementTally {
  return { total: 0, unique: 0, human: { total: 0, unique: 0 }, machine: { total: 0, unique: 0 }, machineReasons: {} };
}
