// Campaign statistics: four grouped reads in one batch (one round trip, one snapshot).
// Each read is a range of an index: `messages_campaign_status` covers the message counts,
// `events_campaign_type` narrows the events to the campaign (and, for links, to clicks);
// the plan is checked in stats.test.ts, so a change that brings a full scan fails a test.
import { and, count, countDistinct, desc, eq } from 'drizzle-orm';
import type { CampaignStatus, EventType, MessageStatus } from '../db/schema';
import type { Database } from '../db/database';
import { campaigns, events, messages } from '../db/schema';

export interface Tally {
  total: number;
  /** Distinct messages. */
  unique: number;
}

export interface LinkTally extends Tally {
  url: string;
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
  bounced: number;
  complained: number;
  opened: Tally;
  clicked: Tally;
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

/** The four reads behind campaignStats, exported so a test can check their query plans. */
export function campaignStatsQueries(db: Database, campaignId: number) {
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
      .select({ url: events.url, total: count(), unique: countDistinct(events.messageId) })
      .from(events)
      .where(and(eq(events.campaignId, campaignId), eq(events.type, 'click')))
      .groupBy(events.url)
      .orderBy(desc(count()), events.url)
      .limit(TOP_LINKS),
  ] as const;
}

/** Sending outcomes and engagement for one campaign, or null when there is no such campaign. */
export async function campaignStats(db: Database, campaignId: number): Promise<CampaignStats | null> {
  if (!Number.isSafeInteger(campaignId) || campaignId < 1) return null;
  const [campaign, messageCounts, eventCounts, links] = await db.batch(campaignStatsQueries(db, campaignId));
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
    bounced: 0,
    complained: 0,
    opened: { total: 0, unique: 0 },
    clicked: { total: 0, unique: 0 },
    unsubscribed: { total: 0, unique: 0 },
    topLinks: links.flatMap((l) => (l.url === null ? [] : [{ url: l.url, total: l.total, unique: l.unique }])),
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
  stats.bounced = tally('bounce').unique;
  stats.complained = tally('complaint').unique;
  stats.opened = tally('open');
  stats.clicked = tally('click');
  stats.unsubscribed = tally('unsubscribe');
  return stats;
}
