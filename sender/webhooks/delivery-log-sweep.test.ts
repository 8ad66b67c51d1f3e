// The webhook log sweep on a real database: settled deliveries older than the window go,
// in chunks; recent ones, and pending ones however old, stay.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliveries } from '../../shared/db/schema';
import { createWebhookEndpoint } from '../../shared/queries/webhook-endpoints';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { waitFor } from '../../test/helpers/sender';
import { createDeliveryLogSweep } from './delivery-log-sweep';

const DAY = 86_400_000;

describe('webhook log sweep', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  it('deletes settled deliveries past the window, chunk after chunk, and keeps the rest', async () => {
    const endpoint = await createWebhookEndpoint(t.db, { url: 'https://hooks.example.com/in', description: '', events: ['message.sent'], secret: 'sealed', active: true });
    const row = (status: 'pending' | 'delivered' | 'failed', settledDaysAgo: number, n: number) => ({
      endpointId: endpoint.id, event: 'message.sent', payload: `{"n":${n}}`, status, nextAttemptAt: Date.now() - settledDaysAgo * DAY,
    });
    await t.db.insert(webhookDeliveries).values([
      ...Array.from({ length: 25 }, (_, i) => row(i % 2 ? 'delivered' : 'failed', 40, i)),
      row('delivered', 5, 100),
      row('failed', 29, 101),
      row('pending', 90, 102),
    ]);
    const sweep = createDeliveryLogSweep({ db: t.db, keepMs: 30 * DAY, chunk: 10, idleMs: 20 });
    sweep.start();
    try {
      const left = await waitFor('the old deliveries gone', async () => {
        const rows = await t.db.select({ payload: webhookDeliveries.payload }).from(webhookDeliveries);
        return rows.length === 3 ? rows : undefined;
      });
      expect(left.map((r) => JSON.parse(r.payload).n).sort()).toEqual([100, 101, 102]);
    } finally {
      await sweep.stop();
    }
  });
});
