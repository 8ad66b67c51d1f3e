// The worker: one BullMQ job is one message. It re-reads the message (so a repeated job is
// harmless), renders it from the campaign compiled once, sends it through the server's
// driver, and records the outcome before the job completes.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Database } from '../shared/db/database';
import { loadMessagesToSend, markMessageFinal, markMessageRetrying, markMessagesSent, type SentOutcome } from '../shared/queries/messages';
import { batchCalls } from './batch-calls';
import { renderMessage } from '../shared/render/render-message';
import type { CampaignCache } from './campaign-cache';
import type { ServerDrivers } from './drivers/server-drivers';
import { classifySendError, SendError } from './send-error';
import { SEND_QUEUE, type SendJobData } from './send-queue';

export type RenderSettings = Parameters<typeof renderMessage>[2];

export interface SendWorkerOptions {
  db: Database;
  /** A connection of the worker's own (BullMQ blocks on it), with maxRetriesPerRequest null. */
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** How long a job stays locked to this worker without renewal; after a crash, the wait before another worker retries it. */
  lockDurationMs: number;
  maxAttempts: number;
  campaigns: CampaignCache;
  drivers: ServerDrivers;
  render: RenderSettings;
}

/** How long a job of a paused campaign waits before it looks again. */
const PAUSED_RECHECK_MS = 5_000;

export function createSendWorker(options: SendWorkerOptions): Worker<SendJobData> {
  const { db } = options;
  const loadMessage = batchCalls((ids: number[]) => loadMessagesToSend(db, ids));
  // The job completes only once its outcome is written, so a crash can lose no outcome:
  // at worst a message in this batch is resent, under the same Message-ID.
  const markSent = batchCalls(async (outcomes: SentOutcome[]) => {
    await markMessagesSent(db, outcomes);
    return outcomes;
  });

  async function later(job: Job<SendJobData>, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  return new Worker<SendJobData>(
    SEND_QUEUE,
    async function sendMessage(job, token) {
      const message = await loadMessage(job.data.messageId);
      if (!message || message.status !== 'queued') return message ? `already ${message.status}` : 'gone';
      const attempts = message.attempts + 1;

      switch (message.campaignStatus) {
        case 'sending':
          break;
        case 'paused':
        case 'queued':
        case 'scheduled':
          return later(job, token, PAUSED_RECHECK_MS);
        default:
          await markMessageFinal(db, message.id, 'cancelled', message.attempts, `campaign is ${message.campaignStatus}`);
          return 'cancelled';
      }
      if (message.excludedBecause) {
        await markMessageFinal(db, message.id, 'skipped', message.attempts, message.excludedBecause);
        return 'skipped';
      }

      try {
        if (message.serverId === null) throw new SendError('ECONFIG', 'no sending server: set one on the campaign or make one the default');
        const [compiled, driver] = await Promise.all([
          options.campaigns.get(message.campaignId),
          options.drivers.get(message.serverId, message.serverUpdatedAt ?? 0),
        ]);
        const rendered = await renderMessage(compiled, { messageId: message.id, subscriber: message.subscriber }, options.render);
        const result = await driver.send({ ...rendered, messageId: message.id });
        await markSent({ messageId: message.id, attempts, providerMessageId: result.providerMessageId });
        return 'sent';
      } catch (err) {
        const failure = classifySendError(err);
        const reason = `${failure.code}: ${failure.message}`;
        if (failure.outcome === 'rate_limited') {
          // Not the message's fault: wait as asked, without spending an attempt.
          return later(job, token, failure.retryAfterMs ?? 1_000);
        }
        if (failure.outcome === 'permanent' || attempts >= options.maxAttempts) {
          await markMessageFinal(db, message.id, 'failed', attempts, reason);
          return 'failed';
        }
        await markMessageRetrying(db, message.id, attempts, reason);
        throw new Error(reason); // BullMQ retries it after the queue's backoff.
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      // Look for jobs of dead workers as often as their locks lapse.
      stalledInterval: options.lockDurationMs,
      // A job whose worker died is retried, not failed: each crash may cost a resend
      // (same Message-ID), never a lost message.
      maxStalledCount: 10,
    },
  );
}
