// People and machines through the app: hits classified at request time (agent, method,
// address) and at write time (sent time, a message's other clicks), then stats that keep them apart.
import { eq } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { events, messages } from '../../shared/db/schema';
import { createApiKey } from '../../shared/queries/api-keys';
import { clickBurstUpdate, recordHits } from '../../shared/queries/hits';
import type { CampaignStats } from '../../shared/queries/stats';
import { signToken } from '../../shared/tokens';
import { HONEYPOT_URL } from '../../shared/tracking/classify-hit';
import { createTrackingTestApp, type TrackingTestApp } from '../../test/helpers/tracking-app';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';

const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const SHOP = 'https://shop.example.com/spring';

describe('tracking: human or machine', () => {
  let t: TrackingTestApp;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTrackingTestApp();
    seed = await seedMessages(t.database.db, 4);
    // Sent an hour ago, so only the rules under test can make a click early.
    await t.database.db.update(messages).set({ sentAt: Date.now() - 3_600_000 });
  });
  afterEach(() => t.close());

  const open = async (messageId: number, init: RequestInit, env: object = {}) =>
    t.app.request(`/t/o/${signToken(t.keys, { kind: 'open', messageId })}`, init, env, t.background);
  const click = async (messageId: number, url: string, init: RequestInit = { headers: { 'user-agent': BROWSER } }, env: object = {}) =>
    t.app.request(`/t/c/${signToken(t.keys, { kind: 'click', messageId, url })}`, init, env, t.background);
  const verdicts = async () => {
    await t.background.drain();
    const rows = await t.database.db.select().from(events).orderBy(events.id);
    return rows.map((r) => ({ type: r.type, messageId: r.messageId, url: r.url, machine: r.machine, reason: r.machineReason }));
  };

  it('tells an MPP open, a Safe Links HEAD, an early click and a honeypot click from a person, and the stats say so', async () => {
    const [mpp, early, honeypot, person] = seed.messageIds as [number, number, number, number];
    await t.database.db.update(messages).set({ sentAt: Date.now() - 2_000 }).where(eq(messages.id, early));

    // Apple fetches with the bare agent from its own range; on Node the socket says where from.
    expect((await open(mpp, { headers: { 'user-agent': 'Mozilla/5.0' } }, { incoming: { socket: { remoteAddress: '::ffff:17.58.1.2' } } })).status).toBe(200);
    // Safe Links probes from Exchange Online Protection, on Workers named by CF-Connecting-IP.
    expect((await click(person, SHOP, { method: 'HEAD', headers: { 'user-agent': BROWSER, 'cf-connecting-ip': '40.107.22.9' } })).status).toBe(302);
    expect((await click(early, SHOP)).status).toBe(302);
    const trap = await click(honeypot, HONEYPOT_URL);
    expect(trap.status).toBe(204);
    expect(trap.headers.get('location')).toBeNull();
    expect((await open(person, { headers: { 'user-agent': BROWSER } })).status).toBe(200);
    expect((await click(person, SHOP)).status).toBe(302);

    expect(await verdicts()).toEqual([
      { type: 'open', messageId: mpp, url: null, machine: true, reason: 'apple-mpp' },
      { type: 'click', messageId: person, url: SHOP, machine: true, reason: 'scanner:microsoft' },
      { type: 'click', messageId: early, url: SHOP, machine: true, reason: 'early-click' },
      { type: 'click', messageId: honeypot, url: HONEYPOT_URL, machine: true, reason: 'honeypot' },
      { type: 'open', messageId: person, url: null, machine: false, reason: 'human' },
      { type: 'click', messageId: person, url: SHOP, machine: false, reason: 'human' },
    ]);

    const { key } = await createApiKey(t.database.db, 'stats');
    const res = await t.request(`/api/campaigns/${seed.campaignId}/stats`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const stats = (await res.json()) as CampaignStats;
    expect(stats.opened).toEqual({ total: 2, unique: 2, human: { total: 1, unique: 1 }, machine: { total: 1, unique: 1 }, machineReasons: { 'apple-mpp': 1 } });
    expect(stats.clicked).toEqual({
      total: 4,
      unique: 3,
      human: { total: 1, unique: 1 },
      machine: { total: 3, unique: 3 },
      machineReasons: { 'scanner:microsoft': 1, 'early-click': 1, honeypot: 1 },
    });
    expect(stats.topLinks).toEqual([
      { url: SHOP, total: 3, unique: 2, human: { total: 1, unique: 1 } },
      { url: HONEYPOT_URL, total: 1, unique: 1, human: { total: 0, unique: 0 } },
    ]);
  });

  it('trusts the Node socket over a CF-Connecting-IP header a client sent', async () => {
    const [messageId] = seed.messageIds as [number];
    await open(messageId, { headers: { 'user-agent': 'Mozilla/5.0', 'cf-connecting-ip': '17.58.1.2' } }, { incoming: { socket: { remoteAddress: '203.0.113.7' } } });
    expect(await verdicts()).toMatchObject([{ machine: true, reason: 'bot-agent:bare-mozilla' }]);
  });

  it('flags a burst of distinct links as machine, re-flagging clicks written in earlier batches, but not one link clicked twice', async () => {
    const [scanned, person] = seed.messageIds as [number, number];
    for (const path of ['a', 'b', 'c']) {
      await click(scanned, `${SHOP}/${path}`);
      await t.background.drain(); // each click in its own batch
    }
    await click(person, `${SHOP}/a`);
    await click(person, `${SHOP}/a`);
    const rows = await verdicts();
    expect(rows.filter((r) => r.messageId === scanned).map((r) => [r.machine, r.reason])).toEqual([
      [true, 'click-burst'],
      [true, 'click-burst'],
      [true, 'click-burst'],
    ]);
    expect(rows.filter((r) => r.messageId === person).map((r) => [r.machine, r.reason])).toEqual([
      [false, 'human'],
      [false, 'human'],
    ]);
  });

  it("flags a click next to a honeypot click as the honeypot's companion", async () => {
    const [messageId] = seed.messageIds as [number];
    await click(messageId, SHOP);
    await t.background.drain();
    await click(messageId, HONEYPOT_URL);
    expect((await verdicts()).map((r) => r.reason)).toEqual(['honeypot-burst', 'honeypot']);
  });

  it('classifies on write a hit queued before verdicts existed, from its agent and method', async () => {
    const [messageId] = seed.messageIds as [number];
    await recordHits(t.database.db, [
      { key: 'old-1', kind: 'click', messageId, url: SHOP, at: Date.now(), method: 'GET', userAgent: 'curl/8.5.0' },
      { key: 'old-2', kind: 'open', messageId, at: Date.now(), method: 'GET', userAgent: BROWSER },
    ]);
    expect((await verdicts()).map((r) => [r.machine, r.reason])).toEqual([
      [true, 'bot-agent:curl'],
      [false, 'human'],
    ]);
  });

  it("reads a message's other clicks through events_message, never a scan of events", async () => {
    const query = new SQLiteAsyncDialect().sqlToQuery(clickBurstUpdate([{ key: 'k', kind: 'click', messageId: 1, url: SHOP, at: 1, method: 'GET' }])!);
    const plan = await t.database.client.execute({ sql: `explain query plan ${query.sql}`, args: query.params as string[] });
    const details = plan.rows.map((r) => String(r.detail));
    expect(details.filter((d) => /^SCAN (e|s|b|hp|events)\b/.test(d))).toEqual([]);
    expect(details.filter((d) => d.includes('USING INDEX events_message (message_id=?)')).length).toBeGreaterThanOrEqual(4);
  });
});
