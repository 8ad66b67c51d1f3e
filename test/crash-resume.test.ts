// The sender container killed in the middle of a 1,000-recipient campaign, then started
// again: every recipient gets the campaign, and no one gets it twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../shared/db/schema';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { seedCampaign } from './helpers/seed';
import { campaignReaches, dropQueue, REDIS_URL, TEST_SECRET, testSenderConfig, waitFor } from './helpers/sender';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const RECIPIENTS = 1000;
const CONCURRENCY = 10;

describe('sender process killed mid-campaign', () => {
  let t: TestDatabase;
  let sink: SmtpSink;
  let config: ReturnType<typeof testSenderConfig>;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
    sink = await startSmtpSink();
    config = testSenderConfig({ DATABASE_URL: t.url });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await dropQueue(config);
    await sink.close();
    t.close();
  });

  function startSenderProcess(): ChildProcess {
    // `node --import tsx` rather than the tsx binary: one process, so a kill reaches it.
    const child = spawn(process.execPath, ['--import', 'tsx', 'sender/main.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        REDIS_URL,
        SECRET_KEY: TEST_SECRET,
        PUBLIC_URL: 'http://127.0.0.1:8787',
        QUEUE_PREFIX: config.QUEUE_PREFIX,
        SENDER_ID: 'crash-test',
        SENDER_CONCURRENCY: String(CONCURRENCY),
        SENDER_JOB_LOCK_SECONDS: '2',
        SENDER_LEASE_SECONDS: '3',
        SENDER_RETRY_BASE_SECONDS: '0.05',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[sender] ${d}`));
    children.push(child);
    return child;
  }

  const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
  const campaignSent = (id: number) =>
    campaignReaches(t.db, id, 'sent', 60_000);
  const messageIdOf = (raw: string) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];

  async function killMidway(signal: NodeJS.Signals): Promise<number> {
    const { campaign } = await seedCampaign(t.db, { subscribers: RECIPIENTS, smtpPort: sink.port });
    const first = startSenderProcess();
    await waitFor('a third of the campaign', async () => (sink.received.length >= RECIPIENTS / 3 ? true : undefined), 60_000);
    first.kill(signal);
    await exited(first);
    expect(sink.received.length).toBeLessThan(RECIPIENTS);

    startSenderProcess();
    await campaignSent(campaign.id);
    const rows = await t.db.select({ status: messages.status }).from(messages).where(eq(messages.campaignId, campaign.id));
    expect(rows).toHaveLength(RECIPIENTS);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    return campaign.id;
  }

  it('SIGTERM: in-flight messages finish, and the restart sends each remaining one exactly once', async () => {
    await killMidway('SIGTERM');
    const recipients = sink.received.map((m) => m.envelopeTo[0]);
    expect(recipients).toHaveLength(RECIPIENTS);
    expect(new Set(recipients).size).toBe(RECIPIENTS);
  }, 90_000);

  it('SIGKILL: every recipient gets the campaign; a message in flight at the kill may be resent, always under the same Message-ID', async () => {
    await killMidway('SIGKILL');
    const byRecipient = new Map<string, Set<string | undefined>>();
    for (const mail of sink.received) {
      const ids = byRecipient.get(mail.envelopeTo[0]!) ?? new Set();
      ids.add(messageIdOf(mail.raw));
      byRecipient.set(mail.envelopeTo[0]!, ids);
    }
    expect(byRecipient.size).toBe(RECIPIENTS);
    // A copy sent twice carries one Message-ID, so the recipient's mail client shows one message.
    expect([...byRecipient.values()].every((ids) => ids.size === 1 && !ids.has(undefined))).toBe(true);
    // Only messages in flight when the process died can be doubled: at most the concurrency.
    expect(sink.received.length - RECIPIENTS).toBeLessThanOrEqual(CONCURRENCY);
  }, 90_000);
});
