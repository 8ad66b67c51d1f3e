// How sender containers share campaigns: a campaign is owned by one dispatcher at a time
// through a lease (claimed_by + lease_until) taken with one conditional UPDATE, so two
// containers racing for it cannot both win. A lease that is not renewed expires, and
// another container (or this one, restarted) takes the campaign over from its cursor.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { campaigns, type CampaignStatus } from '../db/schema';

export interface ClaimedCampaign {
  id: number;
  cursor: number;
  fanoutDone: boolean;
}

/**
 * Claims the next due campaign for `senderId`, or returns null. Due: queued; scheduled
 * with send_at reached; or sending with a lapsed lease (its owner died or let go).
 * `exclude` lists campaigns we already own.
 */
export async function claimDueCampaign(db: Database, senderId: string, leaseMs: number, exclude: number[]): Promise<ClaimedCampaign | null> {
  const now = Date.now();
  const due = sql`(
    ${campaigns.status} = 'queued'
    or (${campaigns.status} = 'scheduled' and ${campaigns.sendAt} <= ${now})
    or (${campaigns.status} = 'sending' and (${campaigns.leaseUntil} is null or ${campaigns.leaseUntil} < ${now}))
  )`;
  const notOwned = sql`${campaigns.id} not in (select value from json_each(${JSON.stringify(exclude)}))`;
  // The sub-select picks a candidate; repeating the condition in the outer WHERE makes the
  // UPDATE a compare-and-set: if another sender took it in between, this updates nothing.
  const [row] = await db
    .update(campaigns)
    .set({
      status: 'sending',
      claimedBy: senderId,
      leaseUntil: now + leaseMs,
      startedAt: sql`coalesce(${campaigns.startedAt}, ${now})`,
      statusReason: null,
      updatedAt: now,
    })
    .where(
      and(
        eq(
          campaigns.id,
          sql`(select ${campaigns.id} from ${campaigns} where ${due} and ${notOwned} order by coalesce(${campaigns.sendAt}, ${campaigns.createdAt}), ${campaigns.id} limit 1)`,
        ),
        due,
      ),
    )
    .returning({ id: campaigns.id, cursor: campaigns.cursor, fanoutDone: campaigns.fanoutDone });
  return row ?? null;
}

/**
 * Extends our lease. Returns false when the campaign is no longer ours to send: paused,
 * cancelled, finished, or claimed by another sender after our lease lapsed.
 */
export async function renewLease(db: Database, campaignId: number, senderId: string, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(campaigns)
    .set({ leaseUntil: Date.now() + leaseMs })
    .where(and(eq(campaigns.id, campaignId), eq(campaigns.claimedBy, senderId), eq(campaigns.status, 'sending')))
    .returning({ id: campaigns.id });
  return rows.length === 1;
}

/** Records fan-out progress: every recipient up to `cursor` has a message row and a job. */
export async function advanceCursor(db: Database, campaignId: number, senderId: string, cursor: number, done: boolean): Promise<boolean> {
  const rows = await db
    .update(campaigns)
    .set({ cursor, fanoutDone: done, updatedAt: Date.now() })
    .where(and(eq(campaigns.id, campaignId), eq(campaigns.claimedBy, senderId), eq(campaigns.status, 'sending')))
    .returning({ id: campaigns.id });
  return rows.length === 1;
}

/** Ends a campaign we own (sent or failed); a no-op if it changed state meanwhile. */
export async function finishCampaign(
  db: Database,
  campaignId: number,
  senderId: string,
  status: Extract<CampaignStatus, 'sent' | 'failed'>,
  reason: string | null = null,
): Promise<boolean> {
  const now = Date.now();
  const rows = await db
    .update(campaigns)
    .set({ status, statusReason: reason, finishedAt: now, claimedBy: null, leaseUntil: null, updatedAt: now })
    .where(and(eq(campaigns.id, campaignId), eq(campaigns.claimedBy, senderId), eq(campaigns.status, 'sending')))
    .returning({ id: campaigns.id });
  return rows.length === 1;
}

/**
 * Pauses a campaign that cannot be sent as things stand (its server's settings or
 * credentials), saying why, so the marketer can fix it and resume instead of watching
 * every message fail.
 */
export async function pauseWithReason(db: Database, campaignId: number, reason: string): Promise<boolean> {
  const rows = await db
    .update(campaigns)
    .set({ status: 'paused', statusReason: reason.slice(0, 1000), claimedBy: null, leaseUntil: null, updatedAt: Date.now() })
    .where(and(eq(campaigns.id, campaignId), inArray(campaigns.status, ['queued', 'scheduled', 'sending'])))
    .returning({ id: campaigns.id });
  return rows.length === 1;
}

/** Gives up our leases at shutdown so another sender (or our restart) resumes at once. */
export async function releaseClaims(db: Database, senderId: string): Promise<void> {
  await db
    .update(campaigns)
    .set({ claimedBy: null, leaseUntil: null })
    .where(and(eq(campaigns.claimedBy, senderId), eq(campaigns.status, 'sending')));
}
