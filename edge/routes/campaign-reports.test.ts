import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaigns, messages } from '../../shared/db/schema';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { recordHits } from '../../shared/queries/hits';
import { migrationsFolder } from '../../node/migrate';
import { createTestApp, type TestApp } from '../../test/helpers/app';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';

const T0 = Date.UTC(2030, 0, 1, 9, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('campaign reports API', () => {
  let t: TestApp;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTestApp();
    seed = await seedMessages(t.database.db, 3);
    await t.database.db.update(campaigns).set({ startedAt: T0 }).where(eq(campaigns.id, seed.campaignId));
    await t.database.db.update(messages).set({ sentAt: T0 - 60_000 });
    // The seed writes messages by hand: counted as migration 0012 counts an upgrade's.
    const migration = readFileSync(`${migrationsFolder}/0012_campaign-counters.sql`, 'utf8');
    for (const statement of migration.split('--> statement-breakpoint').filter((x) => x.includes('INSERT INTO `campaign_message_counts`'))) await t.database.client.execute(statement);
    const [m0, m1, m2] = seed.messageIds as [number, number, number];
    await recordDeliveryEvents(t.database.db, [
      { source: 'postmark', key: 'd0', type: 'delivered', messageId: m0, recipient: 'reader1@example.com', occurredAt: T0 + 1 },
      { source: 'postmark', key: 'b1', type: 'bounce', bounceClass: 'hard', messageId: m1, recipient: 'reader2@example.com', occurredAt: T0 + 2, status: '5.1.1', diagnostic: '550 no such user' },
      { source: 'postmark', key: 'c2', type: 'complaint', messageId: m2, recipient: 'reader3@example.com', occurredAt: T0 + 3 },
    ]);
    await recordHits(t.database.db, [
      { key: 'o0', kind: 'open', messageId: m0, at: T0 + 10, method: 'GET', machine: true, reason: 'apple-mpp' },
      { key: 'c0', kind: 'click', messageId: m0, at: T0 + 3_600_000, method: 'GET', url: 'https://shop.example/a', machine: false, reason: 'human' },
    ]);
  });
  afterEach(() => t.close());

  it('GET /campaigns/{id}/timeseries gives the buckets with events, and 404 for no campaign', async () => {
    const { status, body } = await t.api('GET', `/api/campaigns/${seed.campaignId}/timeseries`);
    expect(status).toBe(200);
    expect(body).toEqual({
      campaignId: seed.campaignId,
      points: [
        { at: iso(T0), size: 'hour', opened: { total: 1, unique: 1, humanTotal: 0, humanUnique: 0 }, clicked: { total: 0, unique: 0, humanTotal: 0, humanUnique: 0 } },
        { at: iso(T0 + 3_600_000), size: 'hour', opened: { total: 0, unique: 0, humanTotal: 0, humanUnique: 0 }, clicked: { total: 1, unique: 1, humanTotal: 1, humanUnique: 1 } },
      ],
    });
    expect((await t.api('GET', '/api/campaigns/999999/timeseries')).status).toBe(404);
  });

  it('GET /campaigns/{id}/domains gives outcomes per domain, and refuses a limit out of 1-100', async () => {
    const { status, body } = await t.api('GET', `/api/campaigns/${seed.campaignId}/domains?limit=5`);
    expect(status).toBe(200);
    expect(body).toEqual({
      campaignId: seed.campaignId,
      domains: [{ domain: 'example.com', sent: 3, delivered: 1, bounced: { hard: 1, soft: 0 }, complained: 1, opened: { unique: 1, humanUnique: 0 }, clicked: { unique: 1, humanUnique: 1 }, unsubscribed: 0 }],
    });
    for (const limit of ['0', '101', 'x']) {
      const refused = await t.api('GET', `/api/campaigns/${seed.campaignId}/domains?limit=${limit}`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toContainEqual(expect.objectContaining({ path: 'limit' }));
    }
    expect((await t.api('GET', '/api/campaigns/999999/domains')).status).toBe(404);
  });

  it('GET /campaigns/{id}/bounces pages bounces and complaints, newest first', async () => {
    const first = await t.api('GET', `/api/campaigns/${seed.campaignId}/bounces?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      { id: expect.any(Number), type: 'complaint', recipient: 'reader3@example.com', bounceClass: null, status: null, diagnostic: null, feedbackType: null, source: 'postmark', messageId: seed.messageIds[2], subscriberId: seed.subscriberIds[2], occurredAt: iso(T0 + 3) },
    ]);
    const next = await t.api('GET', `/api/campaigns/${seed.campaignId}/bounces?limit=1&cursor=${first.body.nextCursor}`);
    expect(next.body).toEqual({
      data: [expect.objectContaining({ type: 'bounce', bounceClass: 'hard', status: '5.1.1', diagnostic: '550 no such user', recipient: 'reader2@example.com' })],
      nextCursor: null,
    });
    expect((await t.api('GET', `/api/campaigns/${seed.campaignId}/bounces?cursor=abc`)).status).toBe(400);
    expect((await t.api('GET', '/api/campaigns/999999/bounces')).status).toBe(404);
  });

  it("GET /subscribers/{id}/activity pages a subscriber's messages and events together, newest first, to viewers too", async () => {
    const viewer = await t.signIn('viewer');
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: unknown[]; nextCursor: string | null } } = await viewer.api(
        'GET',
        `/api/subscribers/${seed.subscriberIds[0]}/activity?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    const campaign = { id: seed.campaignId, name: 'Spring' };
    expect(seen).toEqual([
      { kind: 'event', id: expect.any(Number), at: iso(T0 + 3_600_000), campaign, type: 'click', messageId: seed.messageIds[0], url: 'https://shop.example/a', bounceClass: null, machine: false, machineReason: 'human' },
      { kind: 'event', id: expect.any(Number), at: iso(T0 + 10), campaign, type: 'open', messageId: seed.messageIds[0], url: null, bounceClass: null, machine: true, machineReason: 'apple-mpp' },
      expect.objectContaining({ kind: 'event', type: 'delivered', at: iso(T0 + 1), machine: null }),
      { kind: 'message', id: seed.messageIds[0], at: iso(T0 - 60_000), campaign, status: 'sent', sentAt: iso(T0 - 60_000) },
    ]);
    expect((await t.api('GET', `/api/subscribers/${seed.subscriberIds[0]}/activity?cursor=1-x-2`)).status).toBe(400);
    expect((await t.api('GET', '/api/subscribers/999999/activity')).status).toBe(404);
  });
});
