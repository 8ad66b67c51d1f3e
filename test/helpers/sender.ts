// Starts a real sender plane (dispatcher and workers) against a test database and the real
// Redis, under a queue prefix of its own so tests never see each other's jobs.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig, senderConfigSchema, type SenderConfig } from '../../shared/config';
import { eq } from 'drizzle-orm';
import type { Database } from '../../shared/db/database';
import { campaigns, type CampaignStatus } from '../../shared/db/schema';
import { SEND_QUEUE } from '../../sender/send-queue';
import { startSender, type SenderHandle } from '../../sender/start-sender';

export const TEST_SECRET = 'test-secret-0123456789-0123456789-abcdef';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testSenderConfig(overrides: Record<string, string> = {}): SenderConfig {
  return parseConfig(senderConfigSchema, {
    SECRET_KEY: TEST_SECRET,
    REDIS_URL,
    PUBLIC_URL: 'http://127.0.0.1:8787',
    QUEUE_PREFIX: `edgepost-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    SENDER_RETRY_BASE_SECONDS: '0.05',
    SENDER_JOB_LOCK_SECONDS: '2',
    SENDER_LEASE_SECONDS: '3',
    ...overrides,
  });
}

export async function startTestSender(db: Database, config: SenderConfig): Promise<SenderHandle> {
  return startSender({ config, db, dispatcher: { idleMs: 50 } });
}

/** Deletes every key of the test's queue prefix. */
export async function dropQueue(config: SenderConfig): Promise<void> {
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  const queue = new Queue(SEND_QUEUE, { connection, prefix: config.QUEUE_PREFIX });
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until a campaign reaches `status` (read straight from the database). */
export function campaignReaches(db: Database, campaignId: number, status: CampaignStatus, timeoutMs = 30_000): Promise<void> {
  return waitFor(
    `campaign ${campaignId} ${status}`,
    async () => {
      const [row] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
      return row?.status === status ? true : undefined;
    },
    timeoutMs,
  ).then(() => {});
}
