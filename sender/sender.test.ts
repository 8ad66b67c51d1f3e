// The sender plane end to end on the real Redis and a real SMTP server on loopback.
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaigns, capturedMessages, listMembers, messages, sendingServers, subscribers, suppressions } from '../shared/db/schema';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { seedCampaign } from '../test/helpers/seed';
import { campaignReaches, dropQueue, startTestSender, testSenderConfig, waitFor } from '../test/helpers/sender';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink';
import type { SenderHandle } from './start-sender';

describe('sender plane', () => {
  let t: TestDatabase;
  let sink: SmtpSink;
  let config: ReturnType<typeof testSenderConfig>;
  const senders: SenderHandle[] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
    sink = await startSmtpSink();
    config = testSenderConfig({ DATABASE_URL: t.url });
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.close()));
    await dropQueue(config);
    await sink.close();
    t.close();
  });

  const sent = (id: number) => campaignReaches(t.db, id, 'sent');
  const messageRows = (campaignId: number) => t.db.select().from(messages).where(eq(messages.campaignId, campaignId)).orderBy(messages.id);

  it('sends one personalised message per subscriber and then marks the campaign sent', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 40, smtpPort: sink.port });
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    expect(sink.received).toHaveLength(40);
    const recipients = sink.received.map((m) => m.envelopeTo[0]).sort();
    expect(new Set(recipients).size).toBe(40);
    const mail = sink.received.find((m) => m.envelopeTo[0] === 'person7@example.com')!;
    expect(mail.raw).toContain('Subject: Hi Person 7');
    expect(mail.raw).toMatch(/City 7/);
    expect(mail.envelopeFrom).toMatch(/^bounces\+\d+-[0-9a-f]{12}@shop\.example\.com$/);
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(sink.connections).toBeLessThanOrEqual(5);

    const rows = await messageRows(campaign.id);
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.sentAt)).toBe(true);
  });

  it('retries a temporary refusal and fails a permanent one with the relay answer', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 5, smtpPort: sink.port });
    let refusals = 0;
    sink.rejectRecipient = (address) => {
      if (address === 'person2@example.com' && refusals++ < 2) return { code: 451, message: '4.3.0 Try again later' };
      if (address === 'person4@example.com') return { code: 550, message: '5.1.1 No such user here' };
      return null;
    };
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    const rows = await messageRows(campaign.id);
    const bySubscriber = new Map(rows.map((r) => [r.subscriberId, r]));
    const two = [...bySubscriber.values()].find((r) => r.attempts === 3)!;
    expect(two.status).toBe('sent');
    const failed = rows.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.lastError).toContain('5.1.1 No such user here');
    expect(failed[0]!.attempts).toBe(1);
    // Which relay refused it is kept, as for the ones it accepted.
    expect(failed[0]!.sendingServerId).toBe(two.sendingServerId);
    expect(two.sendingServerId).not.toBeNull();
    expect(sink.received.map((m) => m.envelopeTo[0]).sort()).toEqual(
      ['person1@example.com', 'person2@example.com', 'person3@example.com', 'person5@example.com'],
    );
  });

  it('retries a message whose relay dropped the connection mid-message, and never loses it', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 10, smtpPort: sink.port });
    let drops = 0;
    sink.dropDuringData = (address) => address === 'person3@example.com' && drops++ < 2;
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    const rows = await messageRows(campaign.id);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(drops).toBeGreaterThanOrEqual(2);
    expect(rows.map((r) => r.attempts).sort((a, b) => b - a)[0]).toBe(3);
    expect(sink.received.map((m) => m.envelopeTo[0]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `person${i + 1}@example.com`).sort());
  });

  it('skips suppressed, blocklisted and unsubscribed subscribers', async () => {
    const { campaign, subscribers: people, list } = await seedCampaign(t.db, { subscribers: 6, smtpPort: sink.port });
    await t.db.insert(suppressions).values({ email: 'person1@example.com', reason: 'hard_bounce' });
    await t.db.update(subscribers).set({ status: 'blocklisted' }).where(eq(subscribers.id, people[1]!.id));
    await t.db.update(listMembers).set({ status: 'unsubscribed' }).where(sql`${listMembers.listId} = ${list.id} and ${listMembers.subscriberId} = ${people[2]!.id}`);
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    expect(sink.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['person4@example.com', 'person5@example.com', 'person6@example.com']);
    expect(await messageRows(campaign.id)).toHaveLength(3);
  });

  it('two senders share a campaign without doubling a message', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 300, smtpPort: sink.port });
    senders.push(await startTestSender(t.db, testSenderConfig({ DATABASE_URL: t.url, QUEUE_PREFIX: config.QUEUE_PREFIX, SENDER_ID: 'a' })));
    senders.push(await startTestSender(t.db, testSenderConfig({ DATABASE_URL: t.url, QUEUE_PREFIX: config.QUEUE_PREFIX, SENDER_ID: 'b' })));
    await sent(campaign.id);

    const recipients = sink.received.map((m) => m.envelopeTo[0]);
    expect(recipients).toHaveLength(300);
    expect(new Set(recipients).size).toBe(300);
  });

  it('pauses and resumes where it stopped', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 200, smtpPort: sink.port });
    await t.db.update(campaigns).set({ status: 'paused' }).where(eq(campaigns.id, campaign.id));
    senders.push(await startTestSender(t.db, config));
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.received).toHaveLength(0);

    await t.db.update(campaigns).set({ status: 'queued' }).where(eq(campaigns.id, campaign.id));
    await sent(campaign.id);
    expect(new Set(sink.received.map((m) => m.envelopeTo[0])).size).toBe(200);
    expect(sink.received).toHaveLength(200);
  });

  it('pauses the campaign with a reason when its server cannot send, and finishes once fixed and resumed', async () => {
    const { campaign, server } = await seedCampaign(t.db, { subscribers: 20, smtpPort: sink.port });
    // Settings the API would refuse, as an older version might have saved them.
    await t.db.update(sendingServers).set({ config: { host: '127.0.0.1', port: 'not a port' } }).where(eq(sendingServers.id, server.id));
    senders.push(await startTestSender(t.db, config));
    const paused = await waitFor('campaign paused', async () => {
      const [row] = await t.db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
      return row!.status === 'paused' ? row! : undefined;
    });
    expect(paused.statusReason).toMatch(/config\.port/);
    expect(sink.received).toHaveLength(0);
    expect((await messageRows(campaign.id)).every((m) => m.status === 'queued' && m.attempts === 0)).toBe(true);

    await t.db
      .update(sendingServers)
      .set({ config: { host: '127.0.0.1', port: sink.port, security: 'none' }, updatedAt: Date.now() })
      .where(eq(sendingServers.id, server.id));
    await t.db.update(campaigns).set({ status: 'queued' }).where(eq(campaigns.id, campaign.id));
    await sent(campaign.id);
    expect(new Set(sink.received.map((m) => m.envelopeTo[0])).size).toBe(20);
    expect(sink.received).toHaveLength(20);
  });

  it('pauses itself, saying why, when too many recent messages are refused', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 200, smtpPort: sink.port });
    sink.rejectRecipient = (address) => (Number(/\d+/.exec(address)![0]) % 2 === 0 ? { code: 550, message: '5.7.1 Message rejected as spam' } : null);
    senders.push(await startTestSender(t.db, testSenderConfig({ DATABASE_URL: t.url, QUEUE_PREFIX: config.QUEUE_PREFIX, SENDER_PAUSE_WINDOW: '20', SENDER_PAUSE_FAILURE_SHARE: '0.3' })));
    const paused = await waitFor('campaign paused', async () => {
      const [row] = await t.db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
      return row!.status === 'paused' ? row! : undefined;
    });
    expect(paused.statusReason).toMatch(/^Paused automatically: \d+ of the last 20 messages \(\d+%\) were refused, most often with ".*5\.7\.1 Message rejected as spam"/);
    await new Promise((r) => setTimeout(r, 300));
    const outcomes = await messageRows(campaign.id);
    expect(outcomes.filter((m) => m.status === 'queued').length).toBeGreaterThan(100);
  });

  it('keeps messages in the capture inbox when the server is the capture driver', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 3 });
    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);

    const captured = await t.db.select().from(capturedMessages).orderBy(capturedMessages.id);
    expect(captured.map((c) => c.toAddress).sort()).toEqual(['person1@example.com', 'person2@example.com', 'person3@example.com']);
    expect(captured[0]!.raw).toMatch(/^Message-ID: <[^>]+>/m);
    expect(captured[0]!.subject).toMatch(/^Hi Person \d$/);
  });

  it('a graceful stop mid-campaign and a restart send every message exactly once', async () => {
    const { campaign } = await seedCampaign(t.db, { subscribers: 600, smtpPort: sink.port });
    const first = await startTestSender(t.db, config);
    await waitFor('some mail', async () => (sink.received.length >= 100 ? true : undefined));
    await first.close();
    const afterStop = sink.received.length;
    expect(afterStop).toBeLessThan(600);

    senders.push(await startTestSender(t.db, config));
    await sent(campaign.id);
    const recipients = sink.received.map((m) => m.envelopeTo[0]);
    expect(recipients).toHaveLength(600);
    expect(new Set(recipients).size).toBe(600);
  });
});
