// Campaign statistics from counters, never from the events or the messages: four index
// ranges in one batch (one round trip, one snapshot), the last the message totals of
// ./message-counts.ts. campaign_event_counts (kept by ./event-rollup.ts in the same transaction
// as every event write) gives the event numbers: its `all` rows per type, its `reason` rows
// (machine hits per reason) and its `link` rows (the top links, sorted in SQL: a campaign
// has tens of links). The plans are checked in stats.test.ts, so a change that brings a
// scan fails a test. Opens and clicks recorded before they were classified (`machine` null)
// count as human.
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { CampaignStatus, MessageStatus } from '../db/schema';
import type { Database } from '../db/database';
import { campaignEventCounts, campaigns } from '../db/schema';
import { byStatusOf, byStatusPer, messageTotalsQuery } from './message-counts';

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

const counts = campaignEventCounts;

/** The reads behind campaignStats, exported so a test can check their query plans. */
export function campaignStatsQueries(db: Database, campaignId: number) {
  return [
    db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId)),
    db
      .select({ dimension: counts.dimension, key: counts.key, type: counts.type, total: counts.total, humanTotal: counts.humanTotal, messages: counts.messages, humanMessages: counts.humanMessages })
      .from(counts)
      .where(and(eq(counts.campaignId, campaignId), inArray(counts.dimension, ['all', 'reason']))),
    db
      .select({ url: counts.key, total: counts.total, unique: counts.messages, humanTotal: counts.humanTotal, humanUnique: counts.humanMessages })
      .from(counts)
      .where(and(eq(counts.campaignId, campaignId), eq(counts.dimension, 'link'), eq(counts.type, 'click')))
      .orderBy(desc(counts.total), counts.key)
      .limit(TOP_LINKS),
    messageTotalsQuery(db, [campaignId]),
  ] as const;
}

type CountRow = Awaited<ReturnType<typeof campaignStatsQueries>[1]>[number];

/** Sending outcomes and engagement for one campaign, or null when there is no such campaign. */
export async function campaignStats(db: Database, campaignId: number): Promise<CampaignStats | null> {
  if (!Number.isSafeInteger(campaignId) || campaignId < 1) return null;
  const [campaign, eventCounts, links, messageTotals] = await db.batch(campaignStatsQueries(db, campaignId));
  const status = campaign[0]?.status;
  if (!status) return null;

  const all = new Map<string, CountRow>(eventCounts.filter((r) => r.dimension === 'all').map((r) => [r.type, r]));
  const messagesOf = (type: string) => all.get(type)?.messages ?? 0;
  const hard = messagesOf('bounce-hard');
  const stats: CampaignStats = {
    campaignId,
    status,
    recipients: 0,
    queued: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    delivered: messagesOf('delivered'),
    bounced: { hard, soft: messagesOf('bounce') - hard },
    deferred: messagesOf('deferred'),
    dropped: messagesOf('dropped'),
    complained: messagesOf('complaint'),
    opened: engagement(all, 'open'),
    clicked: engagement(all, 'click'),
    unsubscribed: { total: all.get('unsubscribe')?.total ?? 0, unique: messagesOf('unsubscribe') },
    topLinks: links.map((l) => ({ url: l.url, total: l.total, unique: l.unique, human: { total: l.humanTotal, unique: l.humanUnique } })),
  };
  for (const [s, n] of Object.entries(byStatusOf(messageTotals)) as [MessageStatus, number][]) {
    stats.recipients += n;
    stats[MESSAGE_BUCKET[s]] += n;
  }
  for (const row of eventCounts) {
    const target = row.dimension !== 'reason' ? undefined : row.type === 'open' ? stats.opened : row.type === 'click' ? stats.clicked : undefined;
    if (target) target.machineReasons[row.key] = row.total;
  }
  return stats;
}

/** Opens or clicks from the `all` rows of the type and of `<type>-machine` (messages with a machine hit). */
function engagement(all: Map<string, CountRow>, type: 'open' | 'click'): EngagementTally {
  const row = all.get(type);
  if (!row) return emptyEngagement();
  return {
    total: row.total,
    unique: row.messages,
    human: { total: row.humanTotal, unique: row.humanMessages },
    machine: { total: row.total - row.humanTotal, unique: all.get(`${type}-machine`)?.messages ?? 0 },
    machineReasons: {},
  };
}

function emptyEngagement(): EngagementTally {
  return { total: 0, unique: 0, human: { total: 0, unique: 0 }, machine: { total: 0, unique: 0 }, machineReasons: {} };
}

/** The numbers a list of campaigns shows per row: messages sent, and messages opened and clicked, by anyone and by people. */
export interface CampaignHeadline {
  sent: number;
  opened: { unique: number; humanUnique: number };
  clicked: { unique: number; humanUnique: number };
}

/**
 * Headlines of many campaigns (a page of a list) in one round trip: per campaign, its message
 * totals and its `all` open and click rows, two primary-key ranges each. A campaign with no
 * counter rows (a draft) gets zeros.
 */
export async function campaignHeadlines(db: Database, campaignIds: number[]): Promise<Map<number, CampaignHeadline>> {
  const headlines = new Map<number, CampaignHeadline>(
    campaignIds.map((id) => [id, { sent: 0, opened: { unique: 0, humanUnique: 0 }, clicked: { unique: 0, humanUnique: 0 } }]),
  );
  if (campaignIds.length === 0) return headlines;
  const [messageRows, eventRows] = await db.batch([
    messageTotalsQuery(db, campaignIds),
    db
      .select({ campaignId: counts.campaignId, type: counts.type, messages: counts.messages, humanMessages: counts.humanMessages })
      .from(counts)
      .where(and(inArray(counts.campaignId, campaignIds), eq(counts.dimension, 'all'), eq(counts.key, ''), inArray(counts.type, ['open', 'click']))),
  ]);
  for (const [id, byStatus] of byStatusPer(messageRows, (row) => row.campaignId)) headlines.get(id)!.sent = byStatus.sent;
  for (const row of eventRows) {
    const tally = { unique: row.messages, humanUnique: row.humanMessages };
    if (row.type === 'open') headlines.get(row.campaignId)!.opened = tally;
    else headlines.get(row.campaignId)!.clicked = tally;
  }
  return headlines;
}
