// Test sends: a campaign sent to a few addresses the marketer names. The API writes the
// request (capped per campaign and hour, since a test goes to arbitrary addresses), one
// sender container claims it with a lease, sends, and writes each address's outcome back.
// The database is the hand-off, as for live server checks (./server-checks.ts).
import { and, asc, eq, gt, inArray, isNull, lt, min, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { campaignSendingServers, campaigns, sendingServers, testSends, type CampaignStatus, type TrackingMode } from '../db/schema';
import type { CampaignSource } from '../render/compile-campaign';
import { campaignRenderColumns } from './campaigns';

export type TestSendRow = typeof testSends.$inferSelect;
export type TestSendResult = NonNullable<TestSendRow['results']>[number];

/**
 * The message id a test's links, pixel, unsubscribe link and VERP address are signed with.
 * No `messages` row ever has it (rowids count up from 1; this is 2^53 − 1), and every write
 * a token or a bounce leads to (hits, unsubscribes, delivery events) joins `messages` by
 * id, so following a test's links records nothing and unsubscribes no one.
 */
export const TEST_MESSAGE_ID = Number.MAX_SAFE_INTEGER;

export interface TestSendRequest {
  campaignId: number;
  addresses: string[];
  subscriberId: number | null;
}

export interface TestSendLimit {
  /** Test sends a campaign may have in any `windowMs`. */
  max: number;
  windowMs: number;
}

export type RequestedTestSend = { row: TestSendRow } | { retryAfterMs: number };

/**
 * Writes a pending test send unless the campaign already has `limit.max` in the window.
 * Count and insert are one statement, so two requests at once cannot both take the last
 * place; when refused, says how long until the oldest one in the window leaves it.
 */
export async function requestTestSend(db: Database, request: TestSendRequest, limit: TestSendLimit): Promise<RequestedTestSend> {
  const now = Date.now();
  const since = now - limit.windowMs;
  const inWindow = and(eq(testSends.campaignId, request.campaignId), gt(testSends.requestedAt, since));
  const [inserted] = await db.all<{ id: number }>(sql`
    insert into ${testSends} (campaign_id, addresses, subscriber_id, status, requested_at)
    select ${request.campaignId}, ${JSON.stringify(request.addresses)}, ${request.subscriberId}, 'pending', ${now}
    where (select count(*) from ${testSends} where ${inWindow}) < ${limit.max}
    returning id`);
  if (inserted) return { row: (await getTestSend(db, request.campaignId, Number(inserted.id)))! };
  const [oldest] = await db.select({ at: min(testSends.requestedAt) }).from(testSends).where(inWindow);
  return { retryAfterMs: Math.max(1000, (oldest?.at ?? now) + limit.windowMs - now) };
}

/** A test send of a campaign, or null (also when it belongs to another campaign). */
export async function getTestSend(db: Database, campaignId: number, testSendId: number): Promise<TestSendRow | null> {
  const [row] = await db
    .select()
    .from(testSends)
    .where(and(eq(testSends.id, testSendId), eq(testSends.campaignId, campaignId)));
  return row ?? null;
}

/**
 * Takes the oldest pending test send no live sender holds (never claimed, or its lease
 * lapsed because its sender died), or null. Two senders never take the same one.
 */
export async function claimTestSend(db: Database, senderId: string, leaseMs: number): Promise<TestSendRow | null> {
  const now = Date.now();
  const claimable = and(eq(testSends.status, 'pending'), or(isNull(testSends.leaseUntil), lt(testSends.leaseUntil, now)));
  const oldest = db.select({ id: testSends.id }).from(testSends).where(claimable).orderBy(asc(testSends.requestedAt)).limit(1);
  const [row] = await db
    .update(testSends)
    .set({ claimedBy: senderId, leaseUntil: now + leaseMs })
    .where(and(inArray(testSends.id, oldest), claimable))
    .returning();
  return row ?? null;
}

/** Extends this sender's lease; false when the test send is no longer this sender's to finish. */
export async function renewTestSendLease(db: Database, testSendId: number, senderId: string, leaseMs: number): Promise<boolean> {
  const renewed = await db
    .update(testSends)
    .set({ leaseUntil: Date.now() + leaseMs })
    .where(and(eq(testSends.id, testSendId), eq(testSends.claimedBy, senderId), eq(testSends.status, 'pending')))
    .returning({ id: testSends.id });
  return renewed.length > 0;
}

/** Writes the outcome: `sent` when every address was accepted, else `failed`. False when it was not this sender's to write. */
export async function finishTestSend(db: Database, testSendId: number, senderId: string, results: TestSendResult[]): Promise<boolean> {
  const finished = await db
    .update(testSends)
    .set({ status: results.every((r) => r.ok) ? 'sent' : 'failed', results, finishedAt: Date.now(), leaseUntil: null })
    .where(and(eq(testSends.id, testSendId), eq(testSends.claimedBy, senderId), eq(testSends.status, 'pending')))
    .returning({ id: testSends.id });
  return finished.length > 0;
}

export interface TestSendCampaign {
  source: CampaignSource;
  /** The campaign's own tracking choices, and its status (past draft they are fixed: sender/campaign-cache.ts trackingPolicy). */
  tracking: { tracking: TrackingMode | null; trackingDomain: string | null; status: CampaignStatus };
  /** The campaign's first server, or the default one; null when there is none. `version` is its `updated_at`. */
  server: { id: number; version: number } | null;
}

/** What a test send of a campaign needs: its content as it is now, and the server to send through. */
export async function loadTestSendCampaign(db: Database, campaignId: number): Promise<TestSendCampaign | null> {
  const [[source], [own], [fallback]] = await db.batch([
    db
      .select(campaignRenderColumns)
      .from(campaigns)
      .where(eq(campaigns.id, campaignId)),
    db
      .select({ id: sendingServers.id, version: sendingServers.updatedAt })
      .from(campaignSendingServers)
      .innerJoin(sendingServers, eq(sendingServers.id, campaignSendingServers.sendingServerId))
      .where(eq(campaignSendingServers.campaignId, campaignId))
      .orderBy(asc(campaignSendingServers.position))
      .limit(1),
    db
      .select({ id: sendingServers.id, version: sendingServers.updatedAt })
      .from(sendingServers)
      .where(eq(sendingServers.isDefault, true))
      .orderBy(asc(sendingServers.id))
      .limit(1),
  ]);
  if (!source) return null;
  const { tracking, trackingDomain, status, ...content } = source;
  return { source: content, tracking: { tracking, trackingDomain, status }, server: own ?? fallback ?? null };
}
