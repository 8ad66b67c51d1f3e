// The dispatcher against a real database and the real Redis: how it fills the window of jobs.
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { seedCampaign } from '../test/helpers/seed';
import { dropQueue, testSenderConfig, waitFor } from '../test/helpers/sender';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { backlog, createSendQueue, type SendJobData } from './send-queue';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('dispatcher', () => {
  const config = testSenderConfig();
  let t: TestDatabase;
  let connection: Redis;
  let queue: Queue<SendJobData>;
  let dispatcher: Dispatcher | undefined;
  beforeEach(async () => {
    t = await createTestDatabase();
    connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
    queue = createSendQueue({ connection, prefix: config.QUEUE_PREFIX, maxAttempts: 3, retryBaseMs: 100 });
  });
  afterEach(async () => {
    await dispatcher?.stop();
    await queue.close();
    await dropQueue(config);
    connection.disconnect();
    t.close();
  });

  it('queues a page only once the window has room for all of it, never a sliver of one', async () => {
    await seedCampaign(t.db, { subscribers: 20 });
    dispatcher = createDispatcher({ db: t.db, queue, senderId: 'test', leaseMs: 30_000, pageSize: 4, windowSize: 10, idleMs: 20 });
    dispatcher.start();
    const jobsSettleAt = async (count: number) => {
      await waitFor(`${count} jobs`, async () => ((await backlog(queue)) === count ? true : undefined), 5_000);
      await tick(200); // several more steps of the dispatcher
      expect(await backlog(queue)).toBe(count);
    };
    /** Ends `count` waiting jobs, as a worker finishing them would. */
    const finish = async (count: number) => {
      for (const job of await queue.getJobs(['waiting'], 0, count - 1)) await job.remove();
    };

    // Two pages of 4; a third would not fit whole in the 2 places left.
    await jobsSettleAt(8);
    await finish(1);
    await jobsSettleAt(7);
    await finish(1);
    await jobsSettleAt(10);
  });
});
