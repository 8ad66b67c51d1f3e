// Builds and starts the sender plane: a dispatcher and a pool of workers sharing one
// database and one Redis. `main.ts` calls this; so do the all-in-one start and the tests.
import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import mjml2html from 'mjml';
import type { SenderConfig } from '../shared/config';
import type { Database } from '../shared/db/database';
import { deriveKeys } from '../shared/keys';
import { createCampaignCache } from './campaign-cache';
import { createDispatcher, type DispatcherOptions } from './dispatcher';
import { createFailureRateGuard } from './failure-rate-guard';
import { createServerDrivers } from './drivers/server-drivers';
import { createSendQueue } from './send-queue';
import { createSendWorker } from './send-worker';
import { createServerChecker } from './server-checks';

export interface SenderHandle {
  senderId: string;
  /** Graceful stop: no new work, in-flight messages finished (or handed back), connections closed. */
  close(): Promise<void>;
}

export interface StartSenderOptions {
  config: SenderConfig;
  db: Database;
  /** Dispatcher tuning, for tests and benchmarks. */
  dispatcher?: Pick<DispatcherOptions, 'pageSize' | 'windowSize' | 'idleMs' | 'maxCampaigns' | 'stallMs'>;
  /** How long close() lets in-flight sends finish before handing them back. Default 20 s. */
  shutdownGraceMs?: number;
}

export async function startSender({ config, db, dispatcher: tuning, shutdownGraceMs = 20_000 }: StartSenderOptions): Promise<SenderHandle> {
  // Unique per boot, even when replicas share SENDER_ID: two live senders never hold one
  // lease. A sender that crashed gets its campaigns back after their lease lapses.
  const senderId = `${config.SENDER_ID ?? hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const keys = await deriveKeys(config.SECRET_KEY, (key, data) => createHmac('sha256', key).update(data).digest());
  // Separate connections for producing and consuming, as BullMQ's production guide says.
  const queueConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 20, lazyConnect: true });
  const workerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
  await Promise.all([queueConnection.connect(), workerConnection.connect()]);

  const queue = createSendQueue({
    connection: queueConnection,
    prefix: config.QUEUE_PREFIX,
    maxAttempts: config.SENDER_MAX_ATTEMPTS,
    retryBaseMs: config.SENDER_RETRY_BASE_SECONDS * 1000,
  });
  const drivers = createServerDrivers(db, keys.secrets);
  const worker = createSendWorker({
    db,
    connection: workerConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.SENDER_CONCURRENCY,
    lockDurationMs: config.SENDER_JOB_LOCK_SECONDS * 1000,
    maxAttempts: config.SENDER_MAX_ATTEMPTS,
    campaigns: createCampaignCache(db, mjml2html),
    drivers,
    serverCooloffMs: config.SENDER_SERVER_COOLOFF_SECONDS * 1000,
    failureGuard: createFailureRateGuard({ threshold: config.SENDER_PAUSE_FAILURE_SHARE, window: config.SENDER_PAUSE_WINDOW }),
    render: { publicUrl: config.PUBLIC_URL, keys, ...(config.BOUNCE_ADDRESS ? { bounceAddress: config.BOUNCE_ADDRESS } : {}) },
  });
  worker.on('error', (err) => console.error('send worker error:', err.message));
  const dispatcher = createDispatcher({ db, queue, senderId, leaseMs: config.SENDER_LEASE_SECONDS * 1000, ...tuning });
  dispatcher.start();
  const serverChecker = createServerChecker(db, drivers);
  serverChecker.start();

  return {
    senderId,
    async close() {
      await Promise.all([dispatcher.stop(), serverChecker.stop()]);
      // Let in-flight sends finish; past the grace period, hand them back to the queue
      // (their lock lapses and another worker retries them).
      const graceful = worker.close();
      const timer = new Promise<'timeout'>((r) => setTimeout(r, shutdownGraceMs, 'timeout').unref());
      if ((await Promise.race([graceful, timer])) === 'timeout') await worker.close(true);
      await queue.close();
      await drivers.close();
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
