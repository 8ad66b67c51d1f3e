// Test sends end to end: asked for through the API, carried out by the real test-send loop
// through the real SMTP driver to a loopback sink, with the server's rate on the real Redis;
// then the test mail's links followed through the app, recording to the real database.
import { simpleParser, type ParsedMail } from 'mailparser';
import { Redis } from 'ioredis';
import mjml2html from 'mjml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../edge/app';
import { createBatchingHitRecorder } from '../edge/batching-hit-recorder';
import { freePort } from '../node/free-port';
import { recordHits } from '../shared/queries/hits';
import { signToken } from '../shared/tokens';
import { createTestApp, type TestApp } from '../test/helpers/app';
import { seedCampaign } from '../test/helpers/seed';
import { REDIS_URL, waitFor } from '../test/helpers/sender';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink';
import { startStack, type Stack } from '../test/helpers/stack';
import { createServerDrivers, type ServerDrivers } from './drivers/server-drivers';
import { createTestSender } from './test-sends';
import { createThrottle } from './throttle/create-throttle';
import type { WorkLoop } from './work-loop';

describe('test sends through the sender loop', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let redis: Redis;
  let drivers: ServerDrivers;
  let loop: WorkLoop;
  let seeded: Awaited<ReturnType<typeof seedCampaign>>;
  const prefix = `edgepost-test-sends-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  beforeEach(async () => {
    t = await createTestApp();
    sink = await startSmtpSink();
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    seeded = await seedCampaign(t.deps.db, { subscribers: 2, smtpPort: sink.port, status: 'draft' });
    drivers = createServerDrivers(t.deps.db, [t.deps.keys.secrets]);
    loop = createTestSender({
      db: t.deps.db,
      drivers,
      throttle: createThrottle({ connection: redis, prefix: `${prefix}:throttle` }),
      render: { publicUrl: t.deps.publicUrl, keys: t.deps.keys },
      mjml2html,
      senderId: 'test-sender',
      maxThrottleWaitMs: 300,
      idleMs: 50,
    });
    loop.start();
  });
  afterEach(async () => {
    await loop.stop();
    await drivers.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await sink.close();
    t.close();
  });

  const sql = (text: string, args: (string | number | null)[] = []) => t.database.client.execute({ sql: text, args });
  const count = async (table: string) => Number((await sql(`select count(*) as n from ${table}`)).rows[0]!.n);
  /** Asks for a test and waits for its outcome (200), as the dashboard's "send a test" does. */
  async function sendTest(body: { addresses: string[]; subscriberId?: number }) {
    const res = await t.api('POST', `/api/campaigns/${seeded.campaign.id}/test?wait=20`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }
  const mailTo = async (address: string): Promise<ParsedMail> => {
    const mail = sink.received.find((m) => m.envelopeTo.includes(address));
    if (!mail) throw new Error(`no mail to ${address}; got ${sink.received.map((m) => m.envelopeTo).join(', ')}`);
    return simpleParser(mail.raw);
  };

  it("arrives as [Test], filled with the named subscriber's data, at the test address only", async () => {
    const ann = seeded.subscribers[0]!;
    const outcome = await sendTest({ addresses: ['Me@Agency.example', 'boss@agency.example'], subscriberId: ann.id });
    expect(outcome).toMatchObject({
      status: 'sent',
      results: [
        { address: 'me@agency.example', ok: true, detail: expect.stringMatching(/^250 /) },
        { address: 'boss@agency.example', ok: true, detail: expect.stringMatching(/^250 /) },
      ],
    });
    expect(sink.received.map((m) => m.envelopeTo)).toEqual([['me@agency.example'], ['boss@agency.example']]);
    const mail = await mailTo('me@agency.example');
    expect(mail.subject).toBe('[Test] Hi Person 1');
    expect(mail.text).toContain('Hello Person 1 from City 1');
    expect(mail.to).toMatchObject({ value: [{ name: 'Person 1', address: 'me@agency.example' }] });
    expect(sink.received[0]!.raw).toMatch(/^List-Unsubscribe: <http:\/\/edge\.test\/u\//m);
    // Two tests, two Message-IDs: mail clients must not fold one into the other.
    expect(mail.messageId).not.toBe((await mailTo('boss@agency.example')).messageId);
    // A test is no send: no messages, no stats, the campaign still a draft.
    expect(await count('messages')).toBe(0);
    expect((await t.api('GET', `/api/campaigns/${seeded.campaign.id}`)).body.status).toBe('draft');
  });

  it('fills the merge tags with a sample recipient at the test address when no subscriber is named', async () => {
    await sendTest({ addresses: ['me@agency.example'] });
    const mail = await mailTo('me@agency.example');
    expect(mail.subject).toBe('[Test] Hi Test Recipient');
    expect(mail.text).toMatch(/Hello Test Recipient from\s/);
    expect(mail.to).toMatchObject({ value: [{ name: 'Test Recipient', address: 'me@agency.example' }] });
  });

  it('has links that work but record nothing and unsubscribe no one, where a real message records', async () => {
    const ann = seeded.subscribers[0]!;
    await sendTest({ addresses: ['me@agency.example'], subscriberId: ann.id });
    const html = (await mailTo('me@agency.example')).html as string;
    const at = (pattern: RegExp) => new URL(pattern.exec(html)?.[0] ?? 'http://missing/').pathname;
    const click = at(/http:\/\/edge\.test\/t\/c\/[\w.-]+/);
    const pixel = at(/http:\/\/edge\.test\/t\/o\/[\w.-]+/);
    const unsubscribe = at(/http:\/\/edge\.test\/u\/[\w.-]+/);

    // The edge as served, with hits written to the database in batches.
    const recorder = createBatchingHitRecorder((hits) => recordHits(t.deps.db, hits), { maxDelayMs: 5 });
    const edge = createApp({ ...t.deps, recorder });
    const request = (path: string, init?: RequestInit) => edge.request(path, init, {}, t.background);
    const settle = async () => {
      await t.background.drain();
      await recorder.flush();
    };

    const clicked = await request(click);
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe(`https://shop.example.com/sale?id=${ann.id}`);
    expect((await request(pixel)).headers.get('content-type')).toBe('image/gif');
    expect((await request(unsubscribe)).status).toBe(200);
    const oneClick = await request(unsubscribe, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('Nobody was unsubscribed');
    await settle();
    expect(await count('events')).toBe(0);
    expect((await sql(`select status from list_members where subscriber_id = ?`, [ann.id])).rows.map((r) => r.status)).toEqual(['subscribed']);
    expect(await count('suppressions')).toBe(0);

    // The same edge and recorder do record a click on a real message.
    const messageId = Number((await sql('insert into messages (campaign_id, subscriber_id) values (?, ?) returning id', [seeded.campaign.id, ann.id])).rows[0]!.id);
    const token = signToken(t.deps.keys, { kind: 'click', messageId, url: 'https://shop.example.com/' });
    expect((await request(`/t/c/${token}`)).status).toBe(302);
    await settle();
    expect(await count('events')).toBe(1);
  });

  it("reports each address's outcome: the relay's refusal for one, the others sent", async () => {
    sink.rejectRecipient = (address) => (address === 'nobody@agency.example' ? { code: 550, message: '5.1.1 No such user here' } : null);
    const outcome = await sendTest({ addresses: ['nobody@agency.example', 'me@agency.example'] });
    expect(outcome.status).toBe('failed');
    expect(outcome.results).toEqual([
      { address: 'nobody@agency.example', ok: false, detail: expect.stringMatching(/550.*No such user here/) },
      { address: 'me@agency.example', ok: true, detail: expect.stringMatching(/^250 /) },
    ]);
    expect(sink.received.map((m) => m.envelopeTo)).toEqual([['me@agency.example']]);
  });

  it('reports a campaign that stopped compiling after the request, for every address', async () => {
    // The API refuses such a campaign; here it broke between the request and the send.
    await sql('update campaigns set subject = ? where id = ?', ['Hi {{ subscriber.name ', seeded.campaign.id]);
    const inserted = await sql('insert into test_sends (campaign_id, addresses) values (?, ?) returning id', [seeded.campaign.id, JSON.stringify(['a@agency.example', 'b@agency.example'])]);
    const path = `/api/campaigns/${seeded.campaign.id}/tests/${Number(inserted.rows[0]!.id)}`;
    const row = await waitFor('the test send\'s outcome', async () => {
      const { body } = await t.api('GET', path);
      return body.status === 'pending' ? undefined : body;
    });
    expect(row.status).toBe('failed');
    expect(row.results).toEqual([
      { address: 'a@agency.example', ok: false, detail: expect.stringMatching(/^INVALID_TEMPLATE: the campaign does not compile: subject/) },
      { address: 'b@agency.example', ok: false, detail: expect.stringMatching(/^INVALID_TEMPLATE: the campaign does not compile: subject/) },
    ]);
    expect(sink.received).toHaveLength(0);
  });

  it("keeps to the server's rate: what it cannot send soon is reported, not sent", async () => {
    await sql(`update sending_servers set rate = '{"count":1,"per":"minute"}' where id = ?`, [seeded.server.id]);
    const outcome = await sendTest({ addresses: ['a@agency.example', 'b@agency.example'] });
    expect(outcome.results).toEqual([
      { address: 'a@agency.example', ok: true, detail: expect.stringMatching(/^250 /) },
      { address: 'b@agency.example', ok: false, detail: expect.stringMatching(/^ERATELIMIT: not sent: the sending server's rate limit allows the next message in \d+ s/) },
    ]);
    expect(sink.received).toHaveLength(1);
  });

  it('ends a test in progress when the sender stops, reporting the addresses not tried', async () => {
    sink.delayMs = 300;
    const asked = await t.api('POST', `/api/campaigns/${seeded.campaign.id}/test`, { addresses: ['a@agency.example', 'b@agency.example', 'c@agency.example'] });
    await waitFor('the claim', async () => ((await sql('select claimed_by from test_sends')).rows[0]!.claimed_by ? true : undefined));
    await loop.stop();
    const { body } = await t.api('GET', `/api/campaigns/${seeded.campaign.id}/tests/${asked.body.id}`);
    expect(body.status).toBe('failed');
    expect(body.results).toHaveLength(3);
    expect(body.results.at(-1)).toEqual({ address: 'c@agency.example', ok: false, detail: 'not tried: the sender container was stopping; send the test again' });
    expect(sink.received.length).toBe(body.results.filter((r: { ok: boolean }) => r.ok).length);
  });

  it('stops at the first address when the relay cannot be reached, and says so for the rest', async () => {
    const closed = await freePort();
    await sql(`update sending_servers set config = json_set(config, '$.port', ?) where id = ?`, [closed, seeded.server.id]);
    const outcome = await sendTest({ addresses: ['a@agency.example', 'b@agency.example'] });
    expect(outcome.status).toBe('failed');
    expect(outcome.results).toEqual([
      { address: 'a@agency.example', ok: false, detail: expect.stringMatching(/^ECONNECTION: /) },
      { address: 'b@agency.example', ok: false, detail: expect.stringMatching(/^not tried: the server failed on a@agency\.example \(ECONNECTION: /) },
    ]);
  });
});

describe('test sends in a started sender', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('are carried out by the loop startSender runs', async () => {
    await stack.api('POST', '/sending-servers', { name: 'Sink', driver: 'smtp', isDefault: true, config: { host: '127.0.0.1', port: stack.sink.port, security: 'none' } });
    const campaign = await stack.api('POST', '/campaigns', { name: 'Hello', subject: 'Hello {{ subscriber.name }}', from: 'news@shop.example', lists: [], format: 'text', body: 'Hi' });
    const outcome = await stack.api('POST', `/campaigns/${campaign.id}/test?wait=20`, { addresses: ['me@agency.example'] });
    expect(outcome).toMatchObject({ status: 'sent', results: [{ address: 'me@agency.example', ok: true }] });
    expect(stack.sink.received.map((m) => m.envelopeTo)).toEqual([['me@agency.example']]);
    expect(stack.sink.received[0]!.raw).toMatch(/^Subject: \[Test\] Hello Test Recipient$/m);
  });
});
