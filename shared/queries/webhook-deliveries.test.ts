import { eq } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { webhookDeliveries, webhookEndpoints } from '../db/schema';
import {
  claimDueDeliveries,
  claimStatement,
  listWebhookDeliveries,
  queueTestDelivery,
  recordDeliveryAttempt,
  retryWebhookDelivery,
  type ClaimOptions,
  type DeliveryAttempt,
} from './webhook-deliveries';
import { createWebhookEndpoint, getWebhookEndpoint, updateWebhookEndpoint } from './webhook-endpoints';

describe('webhook deliveries', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  const endpoint = (url = 'https://hooks.example.com/in') =>
    createWebhookEndpoint(t.db, { url, description: '', events: ['message.sent'], secret: 'sealed-secret', active: true });

  /** Inserts deliveries straight away, as the triggers would. */
  async function deliveries(endpointId: number, count: number, over: Partial<typeof webhookDeliveries.$inferInsert> = {}) {
    const rows = Array.from({ length: count }, (_, i) => ({ endpointId, event: 'message.sent', payload: `{"n":${i}}`, nextAttemptAt: 0, ...over }));
    return (await t.db.insert(webhookDeliveries).values(rows).returning()).map((r) => r.id);
  }

  const claim = (over: Partial<ClaimOptions> = {}) =>
    claimDueDeliveries(t.db, { senderId: 'sender-a', leaseMs: 60_000, limit: 10, perEndpoint: 10, inFlight: new Map(), ...over });

  const attempt = (id: number, over: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
    id,
    senderId: 'sender-a',
    at: Date.now(),
    delivered: false,
    httpStatus: 500,
    response: 'oops',
    error: 'the endpoint answered 500',
    retryAt: Date.now() + 60_000,
    disableEndpoint: false,
    ...over,
  });

  const row = async (id: number) => (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0]!;

  it('claims due deliveries of active endpoints with their URL and sealed secret, once', async () => {
    const e = await endpoint();
    const [due] = await deliveries(e.id, 1);
    await deliveries(e.id, 1, { nextAttemptAt: Date.now() + 60_000 });
    await deliveries(e.id, 1, { status: 'delivered' });
    const off = await endpoint('https://off.example.com');
    await deliveries(off.id, 1);
    await updateWebhookEndpoint(t.db, off.id, { active: false });

    const claimed = await claim();
    expect(claimed).toEqual([{ id: due, endpointId: e.id, url: 'https://hooks.example.com/in', secret: 'sealed-secret', event: 'message.sent', payload: '{"n":0}', attempts: 0 }]);
    expect(await row(due!)).toMatchObject({ claimedBy: 'sender-a', status: 'pending' });
    // Another sender finds nothing while the lease holds...
    expect(await claim({ senderId: 'sender-b' })).toEqual([]);
    // ...and takes it over once the lease has lapsed (its sender died).
    await t.db.update(webhookDeliveries).set({ leaseUntil: Date.now() - 1 }).where(eq(webhookDeliveries.id, due!));
    expect((await claim({ senderId: 'sender-b' })).map((d) => d.id)).toEqual([due]);
  });

  it('never gives one delivery to two senders claiming at once', async () => {
    const e = await endpoint();
    await deliveries(e.id, 30);
    const claims = await Promise.all(['a', 'b', 'c'].map((s) => claim({ senderId: s, limit: 12, perEndpoint: 30 })));
    const ids = claims.flat().map((d) => d.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('spreads a claim over endpoints and keeps a busy endpoint to its share', async () => {
    const slow = await endpoint('https://slow.example.com');
    const quick = await endpoint('https://quick.example.com');
    await deliveries(slow.id, 20);
    await deliveries(quick.id, 3);
    const first = await claim({ perEndpoint: 2, limit: 10 });
    expect(first.map((d) => d.endpointId).sort()).toEqual([slow.id, slow.id, quick.id, quick.id]);
    // With two calls to `slow` still in flight, it gets nothing more; `quick` gets its last one.
    const next = await claim({ perEndpoint: 2, limit: 10, inFlight: new Map([[slow.id, 2], [quick.id, 1]]) });
    expect(next.map((d) => d.endpointId)).toEqual([quick.id]);
  });

  it('finds due deliveries on the due index and updates them by key, never reading a whole history', async () => {
    const e = await endpoint();
    await deliveries(e.id, 50, { status: 'delivered' });
    const options = { senderId: 's', leaseMs: 1, limit: 5, perEndpoint: 2, inFlight: new Map([[e.id, 1]]) };
    const { sql, params } = new SQLiteAsyncDialect().sqlToQuery(claimStatement(options, Date.now()));
    const plan = await t.client.execute({ sql: `explain query plan ${sql}`, args: params as (string | number)[] });
    const details = plan.rows.map((r) => String(r.detail));
    expect(details).toContainEqual(expect.stringMatching(/^SEARCH webhook_deliveries USING INDEX webhook_deliveries_due \(status=\? AND next_attempt_at<\?\)/));
    // The UPDATE itself goes by primary key, not through every pending delivery.
    expect(details[0]).toMatch(/^SEARCH webhook_deliveries USING INTEGER PRIMARY KEY/);
    expect(details.filter((d) => /^SCAN webhook_deliveries\b|webhook_deliveries_endpoint/.test(d))).toEqual([]);
  });

  it('records a delivered attempt, a retry, and the last failure', async () => {
    const e = await endpoint();
    const [a, b, c] = await deliveries(e.id, 3);
    await claim();
    const at = Date.now();
    expect(await recordDeliveryAttempt(t.db, attempt(a!, { at, delivered: true, httpStatus: 204, response: null, error: null, retryAt: null }))).toBe(true);
    expect(await recordDeliveryAttempt(t.db, attempt(b!, { retryAt: at + 5000 }))).toBe(true);
    expect(await recordDeliveryAttempt(t.db, attempt(c!, { httpStatus: null, response: null, error: 'no answer within 10 s', retryAt: null }))).toBe(true);
    expect(await row(a!)).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204, deliveredAt: at, lastAttemptAt: at, claimedBy: null, leaseUntil: null });
    expect(await row(b!)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at + 5000, lastStatus: 500, lastResponse: 'oops', claimedBy: null });
    expect(await row(c!)).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null, lastError: 'no answer within 10 s', deliveredAt: null });
    // A claim that is no longer ours records nothing.
    expect(await recordDeliveryAttempt(t.db, attempt(b!, { senderId: 'sender-z' }))).toBe(false);
  });

  it('disables the endpoint that answered 410 Gone, with the attempt', async () => {
    const e = await endpoint();
    const [id, waiting] = await deliveries(e.id, 2);
    await claim({ limit: 1 });
    await recordDeliveryAttempt(t.db, attempt(id!, { httpStatus: 410, retryAt: null, disableEndpoint: true }));
    expect(await row(id!)).toMatchObject({ status: 'failed', lastStatus: 410 });
    expect((await getWebhookEndpoint(t.db, e.id))!.active).toBe(false);
    expect(await claim()).toEqual([]);
    expect(await row(waiting!)).toMatchObject({ status: 'pending', claimedBy: null });
  });

  it('retries a failed or delivered delivery with fresh attempts, and refuses a pending one or a disabled endpoint', async () => {
    const e = await endpoint();
    const [failed, pending] = await deliveries(e.id, 2);
    await t.db.update(webhookDeliveries).set({ status: 'failed', attempts: 12, nextAttemptAt: 5 }).where(eq(webhookDeliveries.id, failed!));
    const retried = await retryWebhookDelivery(t.db, failed!);
    expect(retried).toMatchObject({ retried: { id: failed, status: 'pending', attempts: 0 } });
    expect((retried as { retried: { nextAttemptAt: number } }).retried.nextAttemptAt).toBeGreaterThan(Date.now() - 5000);
    expect(await retryWebhookDelivery(t.db, pending!)).toEqual({ refused: expect.stringContaining('still pending') });
    await t.db.update(webhookDeliveries).set({ status: 'delivered' }).where(eq(webhookDeliveries.id, pending!));
    await t.db.update(webhookEndpoints).set({ active: false }).where(eq(webhookEndpoints.id, e.id));
    expect(await retryWebhookDelivery(t.db, pending!)).toEqual({ refused: expect.stringContaining('disabled') });
    expect(await retryWebhookDelivery(t.db, 999)).toBeNull();
  });

  it('queues a ping only to an active endpoint, and lists deliveries newest first by pages', async () => {
    const e = await endpoint();
    const ids = await deliveries(e.id, 4);
    const ping = await queueTestDelivery(t.db, e.id);
    expect(ping).toMatchObject({ endpointId: e.id, event: 'ping', status: 'pending' });
    expect(JSON.parse(ping!.payload)).toMatchObject({ type: 'ping', data: { endpointId: e.id } });
    expect(await queueTestDelivery(t.db, 999)).toBeNull();

    const first = await listWebhookDeliveries(t.db, e.id, { limit: 3 });
    expect(first.rows.map((r) => r.id)).toEqual([ping!.id, ids[3], ids[2]]);
    const second = await listWebhookDeliveries(t.db, e.id, { limit: 3, cursor: Number(first.nextCursor) });
    expect(second).toEqual({ rows: [expect.objectContaining({ id: ids[1] }), expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await listWebhookDeliveries(t.db, e.id, { limit: 10, status: 'delivered' })).rows).toEqual([]);

    await updateWebhookEndpoint(t.db, e.id, { active: false });
    expect(await queueTestDelivery(t.db, e.id)).toBeNull();
  });
});
