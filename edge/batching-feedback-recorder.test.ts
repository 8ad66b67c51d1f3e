import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../node/free-port';
import { startHranaServer, type HranaServer } from '../node/hrana-server';
import { openDatabase, type OpenedDatabase } from '../node/open-database';
import { events } from '../shared/db/schema';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { BatchLostError } from './batch-writer';
import { createBatchingFeedbackRecorder } from './batching-feedback-recorder';

const delivered = (n: number): DeliveryEvent => ({ source: 'postmark', key: `postmark:delivered:${n}`, type: 'delivered', recipient: `reader${n}@example.com`, occurredAt: 1_700_000_000_000 + n });

let database: TestDatabase;
let hrana: HranaServer | undefined;
// The recorder writes through a libSQL server (as to Turso in production), so the database can go down and come back.
let remote: OpenedDatabase;
let port: number;

beforeEach(async () => {
  database = await createTestDatabase();
  port = await freePort();
  hrana = await startHranaServer({ file: database.url, port });
  remote = await openDatabase(hrana.url);
});

afterEach(async () => {
  remote.client.close();
  await hrana?.close();
  hrana = undefined;
  database.close();
});

async function stopServer(): Promise<void> {
  await hrana!.close();
  hrana = undefined;
}

async function restartServer(): Promise<void> {
  hrana = await startHranaServer({ file: database.url, port });
}

const storedKeys = async () => (await database.db.select({ key: events.key }).from(events)).map((r) => r.key).sort();

describe('batching feedback recorder', () => {
  it('stores the events of many concurrent webhooks in few writes, each call resolving once its events are stored', async () => {
    const sizes: number[] = [];
    // Long enough that adding the 250 never outlasts it, however loaded the machine (with 5 ms,
    // a batch was once written half full while the adding was still going on).
    const recorder = createBatchingFeedbackRecorder((batch) => recordDeliveryEvents(remote.db, batch), { maxDelayMs: 200, onWritten: (size) => sizes.push(size) });
    const seenAtResolve: boolean[] = [];
    await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        recorder.record([delivered(i)]).then(async () => {
          const rows = await database.client.execute({ sql: 'select 1 from events where key = ?', args: [`postmark:delivered:${i}`] });
          seenAtResolve.push(rows.rows.length === 1);
        }),
      ),
    );
    expect(seenAtResolve.filter(Boolean)).toHaveLength(250);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(Math.min(...sizes.slice(0, -1))).toBe(100);
    expect(await database.db.$count(events)).toBe(250);
  });

  it('retries through a database server that is briefly down, and stores everything once', async () => {
    const logs: string[] = [];
    const attempts: number[] = [];
    const recorder = createBatchingFeedbackRecorder((batch) => recordDeliveryEvents(remote.db, batch), {
      maxDelayMs: 1,
      backoffMs: 100,
      retries: 4,
      log: (m) => logs.push(m),
      onWritten: (_size, n) => attempts.push(n),
    });
    await stopServer();
    const recording = Promise.all([recorder.record([delivered(1), delivered(2)]), recorder.record([delivered(3)])]);
    await new Promise((r) => setTimeout(r, 150));
    await restartServer();
    await recording;
    expect(await storedKeys()).toEqual(['postmark:delivered:1', 'postmark:delivered:2', 'postmark:delivered:3']);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toBeGreaterThan(1);
    expect(logs).toEqual([]);
  });

  it('rejects when the database stays down, logs how many and why (no addresses), and a redelivery then stores them once', async () => {
    const logs: string[] = [];
    const recorder = createBatchingFeedbackRecorder((batch) => recordDeliveryEvents(remote.db, batch), { maxDelayMs: 1, backoffMs: 5, retries: 1, log: (m) => logs.push(m) });
    await stopServer();
    const outcomes = await Promise.allSettled([recorder.record([delivered(1)]), recorder.record([delivered(2)])]);
    await restartServer();
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const reason = (outcomes[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(BatchLostError);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^feedback recorder: 2 delivery event\(s\) not stored after 2 attempt\(s\): .*ECONNREFUSED.*will redeliver$/);
    expect(logs[0]).not.toMatch(/reader\d@example\.com|postmark:delivered/);
    expect(await storedKeys()).toEqual([]);

    // The relays were told 503 and redeliver, one of them twice.
    await Promise.all([recorder.record([delivered(1)]), recorder.record([delivered(2)]), recorder.record([delivered(2)])]);
    expect(await storedKeys()).toEqual(['postmark:delivered:1', 'postmark:delivered:2']);
  });

  it('lets a lone event wait 100 ms for company by default (a relay does not mind; the database gets fuller writes)', async () => {
    const sizes: number[] = [];
    const recorder = createBatchingFeedbackRecorder((batch) => recordDeliveryEvents(remote.db, batch), { onWritten: (size) => sizes.push(size) });
    const started = performance.now();
    const first = recorder.record([delivered(1)]);
    await new Promise((r) => setTimeout(r, 60));
    await Promise.all([first, recorder.record([delivered(2)])]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(sizes).toEqual([2]);
  });

  it('names its own options in errors', () => {
    expect(() => createBatchingFeedbackRecorder(async () => {}, { maxBatch: 0 })).toThrow('BatchingFeedbackRecorderOptions.maxBatch must be a positive integer, got 0');
  });
});
