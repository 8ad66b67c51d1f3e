import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedCampaign, seedSmtpServer, setCampaignServers } from '../../test/helpers/seed';
import {
  claimTestSend,
  finishTestSend,
  getTestSend,
  loadTestSendCampaign,
  renewTestSendLease,
  requestTestSend,
  type TestSendRow,
} from './test-sends';

const HOUR = 3_600_000;
const limit = { max: 3, windowMs: HOUR };

describe('test sends queries', () => {
  let t: TestDatabase;
  let campaignId: number;
  beforeEach(async () => {
    t = await createTestDatabase();
    campaignId = (await seedCampaign(t.db, { subscribers: 1, status: 'draft' })).campaign.id;
  });
  afterEach(() => t.close());

  const sql = (text: string, args: (string | number | null)[] = []) => t.client.execute({ sql: text, args });
  const ask = async (addresses = ['me@agency.example'], max = limit.max) => {
    const requested = await requestTestSend(t.db, { campaignId, addresses, subscriberId: null }, { ...limit, max });
    if (!('row' in requested)) throw new Error(`refused: retry after ${requested.retryAfterMs} ms`);
    return requested.row;
  };

  it('writes a pending request, read back only under its own campaign', async () => {
    const row = await ask(['a@agency.example', 'b@agency.example']);
    expect(row).toMatchObject({ campaignId, addresses: ['a@agency.example', 'b@agency.example'], subscriberId: null, status: 'pending', results: null, claimedBy: null });
    expect(await getTestSend(t.db, campaignId, row.id)).toEqual(row);
    expect(await getTestSend(t.db, campaignId + 1, row.id)).toBeNull();
  });

  it('refuses past the limit in the window, saying when the oldest leaves it', async () => {
    const first = await ask();
    await ask();
    await ask();
    const refused = await requestTestSend(t.db, { campaignId, addresses: ['me@agency.example'], subscriberId: null }, limit);
    expect(refused).toEqual({ retryAfterMs: expect.any(Number) });
    const wait = (refused as { retryAfterMs: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(first.requestedAt + HOUR - Date.now() - 1000);
    expect(wait).toBeLessThanOrEqual(HOUR);
    expect(Number((await sql('select count(*) as n from test_sends')).rows[0]!.n)).toBe(3);

    // Once the oldest is more than an hour old, there is room again.
    await sql('update test_sends set requested_at = ? where id = ?', [Date.now() - HOUR - 1, first.id]);
    expect((await ask()).status).toBe('pending');
  });

  it('lets concurrent requests take only the places left', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => requestTestSend(t.db, { campaignId, addresses: ['me@agency.example'], subscriberId: null }, limit)),
    );
    expect(answers.filter((a) => 'row' in a)).toHaveLength(3);
    expect(Number((await sql('select count(*) as n from test_sends')).rows[0]!.n)).toBe(3);
  });

  it('counts each campaign on its own', async () => {
    const other = Number((await sql("insert into campaigns (name, subject, from_address, format, body) values ('Other', 'Hi', 'news@shop.example', 'text', 'Hello') returning id")).rows[0]!.id);
    const once = { ...limit, max: 1 };
    await ask(undefined, 1);
    expect('retryAfterMs' in (await requestTestSend(t.db, { campaignId, addresses: ['me@agency.example'], subscriberId: null }, once))).toBe(true);
    expect('row' in (await requestTestSend(t.db, { campaignId: other, addresses: ['me@agency.example'], subscriberId: null }, once))).toBe(true);
  });

  it('hands each pending request to one sender, oldest first, and back once its lease lapses', async () => {
    const older = await ask();
    const newer = await ask();
    const a = await claimTestSend(t.db, 'sender-a', 60_000);
    const b = await claimTestSend(t.db, 'sender-b', 60_000);
    expect([a?.id, b?.id]).toEqual([older.id, newer.id]);
    expect(a).toMatchObject({ claimedBy: 'sender-a', leaseUntil: expect.any(Number) });
    expect(await claimTestSend(t.db, 'sender-c', 60_000)).toBeNull();

    // sender-a died: its lease lapses and another sender takes the request over.
    await sql('update test_sends set lease_until = ? where id = ?', [Date.now() - 1, older.id]);
    expect((await claimTestSend(t.db, 'sender-c', 60_000))?.id).toBe(older.id);
    expect(await renewTestSendLease(t.db, older.id, 'sender-a', 60_000)).toBe(false);
    expect(await finishTestSend(t.db, older.id, 'sender-a', [])).toBe(false);
    expect(await renewTestSendLease(t.db, older.id, 'sender-c', 60_000)).toBe(true);
  });

  it('writes the outcome once: sent when every address went, failed otherwise', async () => {
    const all = await ask(['a@agency.example']);
    const some = await ask(['a@agency.example', 'b@agency.example']);
    await claimTestSend(t.db, 'me', 60_000);
    await claimTestSend(t.db, 'me', 60_000);
    expect(await finishTestSend(t.db, all.id, 'me', [{ address: 'a@agency.example', ok: true, detail: '250 OK' }])).toBe(true);
    const results = [
      { address: 'a@agency.example', ok: true, detail: '250 OK' },
      { address: 'b@agency.example', ok: false, detail: 'EENVELOPE: 550 no such user' },
    ];
    expect(await finishTestSend(t.db, some.id, 'me', results)).toBe(true);

    const sent = (await getTestSend(t.db, campaignId, all.id)) as TestSendRow;
    expect(sent).toMatchObject({ status: 'sent', leaseUntil: null, finishedAt: expect.any(Number) });
    expect(await getTestSend(t.db, campaignId, some.id)).toMatchObject({ status: 'failed', results });
    // Finished requests are neither claimed again nor rewritten.
    expect(await claimTestSend(t.db, 'other', 60_000)).toBeNull();
    expect(await finishTestSend(t.db, all.id, 'me', [])).toBe(false);
  });

  it('loads the campaign with its first server, else the default, else none', async () => {
    const loaded = await loadTestSendCampaign(t.db, campaignId);
    const defaultId = Number((await sql('select id from sending_servers where is_default = 1')).rows[0]!.id);
    expect(loaded).toMatchObject({ source: { id: campaignId, name: 'Spring sale', format: 'mjml' }, server: { id: defaultId, version: expect.any(Number) } });

    const second = await seedSmtpServer(t.db, 'second', 2525);
    const first = await seedSmtpServer(t.db, 'first', 2526);
    await setCampaignServers(t.db, campaignId, [{ id: first.id }, { id: second.id }]);
    expect((await loadTestSendCampaign(t.db, campaignId))?.server).toEqual({ id: first.id, version: first.updatedAt });

    await sql('delete from campaign_sending_servers');
    await sql('update sending_servers set is_default = 0');
    expect((await loadTestSendCampaign(t.db, campaignId))?.server).toBeNull();
    expect(await loadTestSendCampaign(t.db, campaignId + 100)).toBeNull();
  });
});
