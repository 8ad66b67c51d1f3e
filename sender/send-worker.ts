// The worker: one BullMQ job is one message. It re-reads the message (so a repeated job is
// harmless), renders it from the campaign compiled once, sends it through the server's
// driver, and records the outcome before the job completes.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Database } from '../shared/db/database';
import { pauseWithReason } from '../shared/queries/campaign-claims';
import {
  loadMessagesToSend,
  markMessageFinal,
  markMessageRetrying,
  markMessagesSent,
  type MessageServer,
  type MessageToSend,
  type SentOutcome,
} from '../shared/queries/messages';
import { batchCalls } from './batch-calls';
import { renderMessage } from '../shared/render/render-message';
import type { CampaignCache } from './campaign-cache';
import type { SendResult } from './drivers/driver';
import type { ServerDrivers } from './drivers/server-drivers';
import { classifySendError, SendError } from './send-error';
import { createFailureRateGuard, type FailureRateGuard } from './failure-rate-guard';
import { SEND_QUEUE, type SendJobData } from './send-queue';
import { createThrottle, type Throttle } from './throttle/create-throttle';
import { createServerLimits, recipientDomain } from './throttle/server-limits';
import { createServerHealth, pickServer } from './server-choice';

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
  /** The rate limits shared by all senders. Default: one on `connection` under `<prefix>:throttle`. */
  throttle?: Throttle;
  /** Pauses a campaign whose recent messages fail too often. Default: 10% of the last 200. */
  failureGuard?: FailureRateGuard;
  /** How long a server of a several-server campaign is skipped after it refused connections or could not send. */
  serverCooloffMs: number;
}

const ALL_DOWN_RECHECK_MS = 2_000;

/** One try of one message: what a failure is judged against. */
interface Attempt {
  job: Job<SendJobData>;
  token: string | undefined;
  message: MessageToSend;
  attempts: number;
  server: MessageServer | undefined;
  servers: MessageServer[];
}

/**
 * How long a message read or an outcome write waits for others to share its transaction.
 * Sends finish a few at a time, so without a wait most batches held one or two messages
 * (bench/send-pipeline.ts, 1,500 messages: 1,614 batches for their 3,000 reads and writes;
 * with 10 ms, 770).
 */
const BATCH_LINGER_MS = 10;

/** Longest wait between attempts to record an accepted message while the database is down. */
const RECORD_RETRY_MAX_MS = 30_000;

export function createSendWorker(options: SendWorkerOptions): Worker<SendJobData> {
  const { db } = options;
  const loadMessage = batchCalls((ids: number[]) => loadMessagesToSend(db, ids), { lingerMs: BATCH_LINGER_MS });
  const markSent = batchCalls(
    async (outcomes: SentOutcome[]) => {
      await markMessagesSent(db, outcomes);
      return outcomes;
    },
    { lingerMs: BATCH_LINGER_MS },
  );

  /**
   * Records a message the relay accepted. It never fails the job: a failed write must not
   * lead to a second send, so it tries again until the database answers. The job completes
   * only after this, so only a process that dies in between resends (same Message-ID).
   */
  async function recordSent(outcome: SentOutcome): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await markSent(outcome);
        return;
      } catch (err) {
        console.error(`message ${outcome.messageId} was sent but not yet recorded (attempt ${attempt + 1}):`, (err as Error).message);
        await new Promise((r) => setTimeout(r, Math.min(RECORD_RETRY_MAX_MS, 100 * 2 ** attempt)));
      }
    }
  }

  const throttle = options.throttle ?? createThrottle({ connection: options.connection, prefix: `${options.prefix}:throttle` });
  const serverLimits = createServerLimits(db);
  const failureGuard = options.failureGuard ?? createFailureRateGuard();
  const serverHealth = createServerHealth({ connection: options.connection, prefix: `${options.prefix}:server-down`, cooloffMs: options.serverCooloffMs });

  /** Notes a final outcome; a campaign failing too often pauses itself and says why. */
  async function judge(campaignId: number, failureReason: string | null): Promise<void> {
    const verdict = failureGuard.record(campaignId, failureReason);
    if (!verdict) return;
    failureGuard.forget(campaignId);
    const share = Math.round(verdict.rate * 100);
    await pauseWithReason(
      db,
      campaignId,
      `Paused automatically: ${verdict.failed} of the last ${verdict.outcomes} messages (${share}%) were refused, most often with "${verdict.commonReason}". Check the list and the sending server, then resume.`,
    );
  }

  /** How long this message must wait for its server's and its domain's rate; 0: send now. */
  async function throttleWait(serverId: number, serverVersion: number, email: string): Promise<number> {
    const { rate, domainRates } = await serverLimits.get(serverId, serverVersion);
    const domain = recipientDomain(email);
    const domainRate = domainRates[domain] ?? null;
    if (!rate && !domainRate) return 0;
    const answer = await throttle.acquire(serverId, rate, domain, domainRate);
    return answer.ok ? 0 : answer.waitMs;
  }

  async function later(job: Job<SendJobData>, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  /** Ends or leaves a message that must not be sent now; null when it should be sent. */
  async function settleWithoutSending(message: MessageToSend): Promise<string | null> {
    switch (message.campaignStatus) {
      case 'sending':
        break;
      case 'paused':
      case 'queued':
      case 'scheduled':
        // Leave the message queued: the dispatcher queues it again when the campaign
        // resumes. Holding the job (delayed, re-checked) would crowd the queue.
        return `campaign is ${message.campaignStatus}`;
      default:
        await markMessageFinal(db, message.id, 'cancelled', message.attempts, `campaign is ${message.campaignStatus}`);
        return 'cancelled';
    }
    if (!message.excludedBecause) return null;
    await markMessageFinal(db, message.id, 'skipped', message.attempts, message.excludedBecause);
    return 'skipped';
  }

  /**
   * The server for this try. One server (its own or the default) is used as it is: no marks,
   * and a halt pauses the campaign. With several, one that is up, by weight; when all are
   * cooling off, the job waits (no attempt spent) for the first to come back.
   */
  async function chooseServer(job: Job<SendJobData>, token: string | undefined, servers: MessageServer[]): Promise<MessageServer | undefined> {
    if (servers.length <= 1) return servers[0];
    const marks = await serverHealth.marks(servers);
    const chosen = pickServer(servers.filter((s) => !marks.has(s.id)));
    if (chosen) return chosen;
    // Looked at again within ALL_DOWN_RECHECK_MS, as a server saved with new settings is
    // back at once (the marks name a settings version).
    return later(job, token, Math.min(ALL_DOWN_RECHECK_MS, ...[...marks.values()].map((m) => m.remainingMs)));
  }

  /** What a failed send does to the message, its job, the server and the campaign. */
  async function onFailure(err: unknown, { job, token, message, attempts, server, servers }: Attempt): Promise<string> {
    const failover = servers.length > 1;
    const failure = classifySendError(err);
    const reason = `${failure.code}: ${failure.message}`;
    switch (failure.outcome) {
      case 'halt':
        if (failover && server) {
          // This server cannot send as set up; the others may. Pause only once all of them halt.
          await serverHealth.markDown(server, 'halt');
          const marks = await serverHealth.marks(servers);
          if (servers.some((s) => marks.get(s.id)?.kind !== 'halt')) return later(job, token, 0);
          await pauseWithReason(db, message.campaignId, `Paused: none of the campaign's sending servers can send (last: ${reason}). Fix them, then resume.`);
          return 'campaign paused';
        }
        await pauseWithReason(db, message.campaignId, `Paused: the sending server cannot send (${reason}). Fix it, then resume.`);
        return 'campaign paused';
      case 'rate_limited':
        // Not the message's fault: wait as asked, without spending an attempt.
        return later(job, token, failure.retryAfterMs ?? 1_000);
      case 'permanent':
        await markMessageFinal(db, message.id, 'failed', attempts, reason, server?.id);
        await judge(message.campaignId, reason);
        return 'failed';
      case 'retry':
        if (attempts >= options.maxAttempts) {
          await markMessageFinal(db, message.id, 'failed', attempts, `gave up after ${attempts} attempts: ${reason}`, server?.id);
          return 'failed';
        }
        await markMessageRetrying(db, message.id, attempts, reason, server?.id);
        if (failover && server && isConnectionFailure(failure.code)) {
          // The relay is unreachable, not the message refused: skip it everywhere for the
          // cool-off and try the same job (same Message-ID) on another server right away.
          await serverHealth.markDown(server, 'down');
          return later(job, token, 0);
        }
        throw new Error(reason); // BullMQ retries it after the queue's backoff.
    }
  }

  return new Worker<SendJobData>(
    SEND_QUEUE,
    async function sendMessage(job, token) {
      const message = await loadMessage(job.data.messageId);
      if (!message || message.status !== 'queued') return message ? `already ${message.status}` : 'gone';
      const attempts = message.attempts + 1;

      const settled = await settleWithoutSending(message);
      if (settled) return settled;

      const { servers } = message;
      const server = await chooseServer(job, token, servers);

      let result: SendResult | { waitMs: number };
      try {
        if (!server) throw new SendError('ECONFIG', 'no sending server: set one on the campaign or make one the default');
        const [compiled, driver] = await Promise.all([options.campaigns.get(message.campaignId), options.drivers.get(server.id, server.version)]);
        // Asked only once the campaign is compiled and the driver built, so the send follows
        // its grant closely: the relay sees the rate, not grants bunched behind a cold start.
        const waitMs = await throttleWait(server.id, server.version, message.subscriber.email);
        if (waitMs > 0) {
          result = { waitMs };
        } else {
          const rendered = renderMessage(compiled, { messageId: message.id, subscriber: message.subscriber }, options.render);
          result = await driver.send({ ...rendered, messageId: message.id });
        }
      } catch (err) {
        return onFailure(err, { job, token, message, attempts, server, servers });
      }
      // Over the rate: back to the delayed set, so the job holds no worker slot while it
      // waits, and spends no attempt (moving it keeps attemptsMade).
      if ('waitMs' in result) return later(job, token, result.waitMs);
      await recordSent({ messageId: message.id, attempts, providerMessageId: result.providerMessageId, serverId: server!.id });
      await judge(message.campaignId, null);
      return 'sent';
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

/** A failure of the relay connection (refused, dropped, timed out) rather than an answer about the message. */
function isConnectionFailure(code: string): boolean {
  return code === 'ECONNECTION' || code === 'ETIMEDOUT';
}
