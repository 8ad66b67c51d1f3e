// The send queue: one BullMQ queue, one job per message, its id made from the message id. Jobs carry
// ids only, never addresses or HTML: the database stays the source of truth.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export const SEND_QUEUE = 'send';

export interface SendJobData {
  messageId: number;
  campaignId: number;
}

export interface SendQueueOptions {
  connection: Redis;
  prefix: string;
  maxAttempts: number;
  retryBaseMs: number;
}

export function createSendQueue(options: SendQueueOptions): Queue<SendJobData> {
  const defaultJobOptions: JobsOptions = {
    attempts: options.maxAttempts,
    backoff: { type: 'exponential', delay: options.retryBaseMs, jitter: 0.5 },
    // A finished message's outcome lives in the database; Redis keeps only what is pending.
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  return new Queue<SendJobData>(SEND_QUEUE, { connection: options.connection, prefix: options.prefix, defaultJobOptions });
}

/** The job id of a message: its id, prefixed because BullMQ refuses all-digit custom ids. */
export function jobIdOf(messageId: number): string {
  return `m${messageId}`;
}

/** Queues one job per message; adding a job id the queue already holds is a no-op. */
export async function enqueueMessages(queue: Queue<SendJobData>, campaignId: number, messageIds: number[]): Promise<void> {
  if (messageIds.length === 0) return;
  await queue.addBulk(
    messageIds.map((messageId) => ({ name: 'send', data: { messageId, campaignId }, opts: { jobId: jobIdOf(messageId) } })),
  );
}

/** Jobs not yet finished: what the dispatcher measures its window against. */
export async function backlog(queue: Queue<SendJobData>): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * Queues messages again whose jobs were lost (a flushed Redis, a job that stalled too
 * often). A job that still exists and has ended is removed first, or the add would be
 * ignored; the worker skips any message that already has its outcome.
 */
export async function requeueMessages(queue: Queue<SendJobData>, campaignId: number, messageIds: number[]): Promise<void> {
  for (const messageId of messageIds) {
    const job = await queue.getJob(jobIdOf(messageId));
    if (job && ['failed', 'completed'].includes(await job.getState())) await job.remove();
  }
  await enqueueMessages(queue, campaignId, messageIds);
}
