// Builds and starts the sender plane: a dispatcher and a pool of workers sharing one
// database and one Redis. `main.ts` calls this; so do the all-in-one start and the tests.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { SenderConfig } from '../shared/config';
import type { Database } from '../shared/db/database';
import { deriveKeyring, secretKeysOf } from '../shared/keyring';
import { startBounceInbox } from './bounces/bounce-inbox';
import { createCampaignCache } from './campaign-cache';
import { compactMjml2Html } from './compact-mjml';
import { createDispatcher, type DispatcherOptions } from './dispatcher';
import { createFailureRateGuard } from './failure-rate-guard';
import { createImportRunner } from './imports/import-runner';
import { createServerDrivers } from './drivers/server-drivers';
import { createSendQueue } from './send-queue';
import { createSendWorker } from './send-worker';
import { createServerChecker } from './server-checks';
import { createTestSender } from './test-sends';
import { createThrottle } from './throttle/create-throttle';
import { createDeliveryLogSweep } from './webhooks/delivery-log-sweep';
import { createPublicNetworkFetch } from './webhooks/public-network-fetch';
import { createWebhookDeliverer } from './webhooks/webhook-deliverer';

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
  const keyring = await deriveKeyring(config);
  const keys = keyring[0];
  // First, so a port already taken stops the start before anything else runs.
  const bounceInbox = config.BOUNCE_ADDRESS
    ? await startBounceInbox({
        db,
        keys,
        keyring,
        bounceAddress: config.BOUNCE_ADDRESS,
        host: config.BOUNCE_INBOX_HOST,
        port: config.BOUNCE_INBOX_PORT,
        maxBytes: config.BOUNCE_INBOX_MAX_BYTES,
      })
    : null;
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
  const drivers = createServerDrivers(db, secretKeysOf(keyring));
  const render = { publicUrl: config.PUBLIC_URL, keys, ...(config.BOUNCE_ADDRESS ? { bounceAddress: config.BOUNCE_ADDRESS } : {}) };
  const worker = createSendWorker({
    db,
    connection: workerConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.SENDER_CONCURRENCY,
    lockDurationMs: config.SENDER_JOB_LOCK_SECONDS * 1000,
    maxAttempts: config.SENDER_MAX_ATTEMPTS,
    campaigns: createCampaignCache(db, compactMjml2Html),
    drivers,
    serverCooloffMs: config.SENDER_SERVER_COOLOFF_SECONDS * 1000,
    failureGuard: createFailureRateGuard({ threshold: config.SENDER_PAUSE_FAILURE_SHARE, window: config.SENDER_PAUSE_WINDOW }),
    render,
  });
  worker.on('error', (err) => console.error('send worker error:', err.message));
  const dispatcher = createDispatcher({ db, queue, senderId, leaseMs: config.SENDER_LEASE_SECONDS * 1000, ...tuning });
  dispatcher.start();
  const serverChecker = createServerChecker(db, drivers);
  serverChecker.start();
  const imports = createImportRunner({ db, senderId, leaseMs: config.SENDER_LEASE_SECONDS * 1000 });
  imports.start();
  // Same throttle prefix as the workers' default, so a test counts against the server's rate.
  const throttle = createThrottle({ connection: queueConnection, prefix: `${config.QUEUE_PREFIX}:throttle` });
  const testSender = createTestSender({ db, drivers, throttle, render, mjml2html: compactMjml2Html, senderId });
  testSender.start();
  const webhooks = createWebhookDeliverer({
    db,
    secretsKeys: secretKeysOf(keyring),
    senderId,
    timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    ...(config.WEBHOOK_ALLOW_PRIVATE_NETWORKS ? {} : { fetch: createPublicNetworkFetch() }),
  });
  webhooks.start();
  const webhookLogSweep = createDeliveryLogSweep({ db, keepMs: config.WEBHOOK_LOG_DAYS * 86_400_000 });
  webhookLogSweep.start();

  return {
    senderId,
    async close() {
      await Promise.all([dispatcher.stop(), serverChecker.stop(), imports.stop(), testSender.stop(), bounceInbox?.close(), webhooks.stop(), webhookLogSweep.stop()]);
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
