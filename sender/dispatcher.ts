// The dispatcher: claims due campaigns, fans each out page by page (message rows, then
// jobs, then the cursor), keeps only a window of jobs ahead of the workers, and closes a
// campaign once every message has an outcome.
import type { Queue } from 'bullmq';
import type { Database } from '../shared/db/database';
import { advanceCursor, claimDueCampaign, finishCampaign, releaseClaims, renewLease } from '../shared/queries/campaign-claims';
import { cancelQueuedOfCancelledCampaigns, createMessages, pendingCount, pendingMessages } from '../shared/queries/messages';
import { nextRecipients } from '../shared/queries/recipients';
import { backlog, enqueueMessages, requeueMessages, type SendJobData } from './send-queue';
import { createWorkLoop } from './work-loop';

export interface DispatcherOptions {
  db: Database;
  queue: Queue<SendJobData>;
  /** Names this container in campaign claims. */
  senderId: string;
  leaseMs: number;
  /** Recipients read and queued per step. Default 500. */
  pageSize?: number;
  /** Jobs kept ahead of the workers (each waiting job costs ~0.7 KB of Redis). Default 5,000. */
  windowSize?: number;
  /** Pause between steps when there is nothing to do. Default 250 ms. */
  idleMs?: number;
  /** Campaigns this dispatcher sends at once. Default 4. */
  maxCampaigns?: number;
  /** How long a fanned-out campaign may make no progress before its pending messages are queued again. Default 60 s. */
  stallMs?: number;
}

interface OwnedCampaign {
  id: number;
  cursor: number;
  fanoutDone: boolean;
  renewAt: number;
  /** Messages without an outcome at the last check, and when that number last went down. */
  pending: number;
  progressAt: number;
}

export interface Dispatcher {
  start(): void;
  /** Stops after the current step and releases our claims so the campaigns resume at once elsewhere. */
  stop(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, queue, senderId, leaseMs } = options;
  const pageSize = options.pageSize ?? 500;
  const windowSize = options.windowSize ?? 5_000;
  // A page is queued once the window has room for a whole one (or half the window, if
  // smaller). Topping the window up as jobs finished made pages of a few dozen recipients,
  // each paying a page's reads, writes and Redis calls (bench/send-pipeline.ts: 344 pages
  // for 10,000 messages).
  const refillAt = Math.min(pageSize, Math.ceil(windowSize / 2));
  const idleMs = options.idleMs ?? 250;
  const maxCampaigns = options.maxCampaigns ?? 4;
  const stallMs = options.stallMs ?? 60_000;
  const CANCEL_SWEEP_MS = 5_000;
  let cancelSweepAt = 0;
  const owned = new Map<number, OwnedCampaign>();

  async function keepLeases(): Promise<void> {
    const now = Date.now();
    for (const campaign of owned.values()) {
      if (now < campaign.renewAt) continue;
      if (await renewLease(db, campaign.id, senderId, leaseMs)) campaign.renewAt = now + leaseMs / 3;
      else owned.delete(campaign.id); // paused, cancelled, or taken over
    }
  }

  async function claimMore(): Promise<void> {
    while (owned.size < maxCampaigns) {
      const claimed = await claimDueCampaign(db, senderId, leaseMs, [...owned.keys()]);
      if (!claimed) return;
      const campaign = { ...claimed, renewAt: Date.now() + leaseMs / 3, pending: Infinity, progressAt: Date.now() };
      owned.set(claimed.id, campaign);
      // Resumed or taken over: messages already created may have no job (a paused
      // campaign's jobs end without sending; a crash may fall between row and job).
      if (claimed.cursor > 0) await requeuePending(campaign);
    }
  }

  async function requeuePending(campaign: OwnedCampaign): Promise<void> {
    for (let after = 0; ; ) {
      const ids = await pendingMessages(db, campaign.id, after, pageSize);
      if (ids.length === 0) return;
      await requeueMessages(queue, campaign.id, ids);
      after = ids.at(-1)!;
    }
  }

  /** Queues the next page of a campaign; returns how many jobs it added. */
  async function fanOut(campaign: OwnedCampaign, limit: number): Promise<number> {
    const recipients = await nextRecipients(db, campaign.id, campaign.cursor, limit);
    const queued = await createMessages(db, campaign.id, recipients);
    await enqueueMessages(queue, campaign.id, queued.map((m) => m.id));
    // Only now is the page safe to skip on a restart: rows and jobs both exist.
    const cursor = recipients.at(-1) ?? campaign.cursor;
    const done = recipients.length < limit;
    if (!(await advanceCursor(db, campaign.id, senderId, cursor, done))) owned.delete(campaign.id);
    else Object.assign(campaign, { cursor, fanoutDone: done });
    return queued.length;
  }

  async function finishIfDone(campaign: OwnedCampaign): Promise<void> {
    const count = await pendingCount(db, campaign.id);
    if (count === 0) {
      await finishCampaign(db, campaign.id, senderId, 'sent');
      owned.delete(campaign.id);
      return;
    }
    const now = Date.now();
    if (count < campaign.pending) Object.assign(campaign, { pending: count, progressAt: now });
    else if (now - campaign.progressAt > stallMs) {
      // No outcome for a while: jobs may have been lost (a flushed Redis, a job that
      // stalled too often). Queue the rest again; ids that still have a job are ignored.
      await requeuePending(campaign);
      campaign.progressAt = now;
    }
  }

  /** Ends the queued messages of cancelled campaigns that no worker will meet. */
  async function sweepCancelled(): Promise<void> {
    if (Date.now() < cancelSweepAt) return;
    cancelSweepAt = Date.now() + CANCEL_SWEEP_MS;
    while ((await cancelQueuedOfCancelledCampaigns(db, pageSize)) === pageSize);
  }

  /** One pass over our campaigns; returns whether it did work (so the loop need not sleep). */
  async function step(): Promise<boolean> {
    await keepLeases();
    await claimMore();
    await sweepCancelled();
    let room = windowSize - (await backlog(queue));
    let worked = false;
    for (const campaign of [...owned.values()]) {
      if (!campaign.fanoutDone) {
        if (room < refillAt) continue;
        const added = await fanOut(campaign, Math.min(pageSize, room));
        room -= added;
        worked = true;
      } else {
        await finishIfDone(campaign);
      }
    }
    return worked;
  }

  // Leases cover our campaigns while a step fails and the loop waits.
  const loop = createWorkLoop('dispatcher', step, idleMs);
  return {
    start: loop.start,
    async stop() {
      await loop.stop();
      owned.clear();
      await releaseClaims(db, senderId);
    },
  };
}
