// Several sending servers per campaign, on the real Redis and loopback SMTP sinks: weighted
// spread, failover when a relay refuses connections or drops them, and waiting when all are down.
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaigns, messages, sendingServers } from '../shared/db/schema';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { seedCampaign, seedSmtpServer, setCampaignServers } from '../test/helpers/seed';
import { campaignReaches, dropQueue, REDIS_URL, startTestSender, testSenderConfig, waitFor } from '../test/helpers/sender';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink';
import { pickServer } from './server-choice';
import type { SenderHandle } from './start-sender';

describe('pickServer', () => {
  it('picks in proportion to weight, and nothing from an empty list', () => {
    const servers = [{ id: 1, weight: 3 }, { id: 2, weight: 1 }];
    expect(pickServer(servers, () => 0)!.id).toBe(1);
    expect(pickServer(servers, () => 0.74)!.id).toBe(1);
    expect(pickServer(servers, () => 0.75)!.id).toBe(2);
    expect(pickServer(servers, () => 0.9999)!.id).toBe(2);
    expect(pickServer([], () => 0.5)).toBeNull();
  });
});

describe('several sending servers', () => {
  let t: TestDatabase;
  let config: ReturnType<typeof testSenderConfig>;
  const sinks: SmtpSink[] = [];
  const senders: SenderHandle[] = [];
  let redis: Redis;

  beforeEach(async () => {
    t = await createTestDatabase();
    config = testSenderConfig({ DATABASE_URL: t.url });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.close()));
    await dropQueue(config);
    const keys = await redis.keys(`${config.QUEUE_PREFIX}:server-down:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    t.close();
  });

  async function sink() {
    const s = await startSmtpSink();
    sinks.push(s);
    return s;
  }
  const sent = (id: number) => campaignReaches(t.db, id, 'sent');
  const messageRows = (campaignId: number) => t.db.select().from(messages).where(eq(messages.campaignId, campaignId));
  const everyoneOnce = (n: number) => Array.from({ length: n }, (_, i) => `person${i + 1}@example.com`).sort();
  const recipients = (s: SmtpSink) => s.received.map((m) => m.envelopeTo[0]!);

  it('spreads messages by weight (3:1)', async () => {
    const [a, b] = [await sink(), await sink()];
    const { campaign } = await seedCampaign(t.db, { subscribers: 400, smtpPort: a.port, format: 'text', body: 'Hello {{ subscriber.name }}' });
    const serverA = await seedSmtpServer(t.db, 'a', a.port);
    const serverB = await seedSmtpServer(t.db, 'b', b.port);
    await setCampaignServers(t.db, campaign.id, [{ id: serverA.id, weight: 3 }, { id: serverB.id, weight: 1 }]);
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    expect([...recipients(a), ...recipients(b)].sort()).toEqual(everyoneOnce(400));
    // Binomial(400, 0.75): mean 300, sd 8.7; ±40 is 4.6 sd, a false alarm about once in 250,000 runs.
    expect(a.received.length).toBeGreaterThanOrEqual(260);
    expect(a.received.length).toBeLessThanOrEqual(340);
    const rows = await messageRows(campaign.id);
    expect(rows.filter((r) => r.sendingServerId === serverA.id)).toHaveLength(a.received.length);
    expect(rows.filter((r) => r.sendingServerId === serverB.id)).toHaveLength(b.received.length);
  });

  it('fails over to the next server when one refuses connections, sending each message exactly once', async () => {
    const [a, b] = [await sink(), await sink()];
    const { campaign } = await seedCampaign(t.db, { subscribers: 150, smtpPort: b.port, format: 'text', body: 'Hello' });
    const serverA = await seedSmtpServer(t.db, 'a', a.port);
    const serverB = await seedSmtpServer(t.db, 'b', b.port);
    await setCampaignServers(t.db, campaign.id, [{ id: serverA.id, weight: 5 }, { id: serverB.id, weight: 1 }]);
    await sinks.shift()!.close(); // a is gone: its port refuses connections
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    expect(recipients(b).sort()).toEqual(everyoneOnce(150));
    const rows = await messageRows(campaign.id);
    expect(rows.every((r) => r.status === 'sent' && r.sendingServerId === serverB.id)).toBe(true);
    // Some messages tried a before it was marked down; that cost them one attempt, not the message.
    expect(rows.some((r) => r.attempts === 2)).toBe(true);
    expect(await redis.get(`${config.QUEUE_PREFIX}:server-down:${serverA.id}:${serverA.updatedAt}`)).toBe('down');
  });

  it('fails over when a relay drops the connection mid-message, without doubling', async () => {
    const [a, b] = [await sink(), await sink()];
    a.dropDuringData = () => true;
    const { campaign } = await seedCampaign(t.db, { subscribers: 60, smtpPort: b.port, format: 'text', body: 'Hello' });
    const serverA = await seedSmtpServer(t.db, 'a', a.port);
    const serverB = await seedSmtpServer(t.db, 'b', b.port);
    await setCampaignServers(t.db, campaign.id, [{ id: serverA.id }, { id: serverB.id }]);
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    expect(a.received).toHaveLength(0);
    expect(recipients(b).sort()).toEqual(everyoneOnce(60));
  });

  it('holds messages while every server is down, and sends them once one is back', async () => {
    const [a, b] = [await sink(), await sink()];
    const { campaign } = await seedCampaign(t.db, { subscribers: 40, smtpPort: b.port, format: 'text', body: 'Hello' });
    const serverA = await seedSmtpServer(t.db, 'a', a.port);
    const serverB = await seedSmtpServer(t.db, 'b', b.port);
    await setCampaignServers(t.db, campaign.id, [{ id: serverA.id }, { id: serverB.id }]);
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    senders.push(await startTestSender(t.db, config));

    await waitFor('both servers marked down', async () => {
      const keys = await redis.keys(`${config.QUEUE_PREFIX}:server-down:*`);
      return keys.length === 2 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    const held = await messageRows(campaign.id);
    expect(held.every((r) => r.status === 'queued')).toBe(true);
    // Waiting spends no attempt: at most one failure per server per message.
    expect(Math.max(...held.map((r) => r.attempts))).toBeLessThanOrEqual(2);

    // b comes back (its relay now listens elsewhere; new settings clear its mark).
    const back = await sink();
    await t.db.update(sendingServers).set({ config: { host: '127.0.0.1', port: back.port, security: 'none' }, updatedAt: Date.now() }).where(eq(sendingServers.id, serverB.id));
    await sent(campaign.id);
    expect(recipients(back).sort()).toEqual(everyoneOnce(40));
    const [row] = await t.db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(row!.status).toBe('sent');
  });

  it('uses a server again once it answers after its cool-off, with no change to its settings', async () => {
    const [a, b] = [await sink(), await sink()];
    const { campaign } = await seedCampaign(t.db, { subscribers: 30, smtpPort: b.port, format: 'text', body: 'Hello' });
    const serverA = await seedSmtpServer(t.db, 'a', a.port);
    const serverB = await seedSmtpServer(t.db, 'b', b.port);
    await setCampaignServers(t.db, campaign.id, [{ id: serverA.id }, { id: serverB.id }]);
    const portA = a.port;
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    senders.push(await startTestSender(t.db, testSenderConfig({ DATABASE_URL: t.url, QUEUE_PREFIX: config.QUEUE_PREFIX, SENDER_SERVER_COOLOFF_SECONDS: '1' })));
    await waitFor('both servers marked down', async () => ((await redis.keys(`${config.QUEUE_PREFIX}:server-down:*`)).length === 2 ? true : undefined));

    // The same relay answers again at the same address.
    const again = await startSmtpSink({ port: portA });
    sinks.push(again);
    await sent(campaign.id);
    expect(recipients(again).sort()).toEqual(everyoneOnce(30));
  });

  it('a server that cannot send is skipped instead of pausing the campaign while another can', async () => {
    const b = await sink();
    const { campaign } = await seedCampaign(t.db, { subscribers: 30, smtpPort: b.port, format: 'text', body: 'Hello' });
    // Settings the API would refuse, as an older version might have saved them: the driver halts.
    const [broken] = await t.db.insert(sendingServers).values({ name: 'broken', driver: 'smtp', config: { host: '127.0.0.1', port: 'not a port' } }).returning();
    const serverB = await seedSmtpServer(t.db, 'b', b.port);
    await setCampaignServers(t.db, campaign.id, [{ id: broken!.id, weight: 10 }, { id: serverB.id }]);
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    expect(recipients(b).sort()).toEqual(everyoneOnce(30));
    const rows = await messageRows(campaign.id);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });

  it('pauses the campaign when every one of its servers cannot send', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 10, format: 'text', body: 'Hello' });
    const broken = await t.db
      .insert(sendingServers)
      .values([1, 2].map((i) => ({ name: `broken ${i}`, driver: 'smtp', config: { host: '127.0.0.1', port: 'not a port' } })))
      .returning();
    await setCampaignServers(t.db, campaign.id, broken.map((s) => ({ id: s.id })));
    senders.push(await startTestSender(t.db, config));
    const paused = await waitFor('campaign paused', async () => {
      const [row] = await t.db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
      return row!.status === 'paused' ? row! : undefined;
    });
    expect(paused.statusReason).toMatch(/none of the campaign's sending servers can send .*config\.port/);
    expect((await messageRows(campaign.id)).every((m) => m.status === 'queued' && m.attempts === 0)).toBe(true);
  });
});
