// The bounce round trip through a real MTA: the sender sends a campaign through Debian's
// Postfix on loopback to an address that does not exist; Postfix accepts it, finds at
// delivery that there is no such user, writes its own DSN to the VERP return path and
// delivers that to the sender plane's bounce inbox; the subscriber ends suppressed.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../node/free-port';
import { events, messages, suppressions } from '../shared/db/schema';
import type { SenderConfig } from '../shared/config';
import type { SenderHandle } from '../sender/start-sender';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { postfixInstalled, startPostfix, type PostfixInstance } from './helpers/postfix';
import { campaignReaches, dropQueue, startTestSender, testSenderConfig, waitFor } from './helpers/sender';
import { seedCampaign } from './helpers/seed';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const installed = postfixInstalled();
if (!installed) console.warn('bounce-postfix.test.ts: skipped, Postfix is not installed (apt-get install postfix; .ci/run does it)');

const BOUNCE_DOMAIN = 'bounces.edgepost.test';

describe.skipIf(!installed)('a bounce through Postfix', () => {
  let t: TestDatabase;
  let sink: SmtpSink;
  let postfix: PostfixInstance;
  let config: SenderConfig;
  let sender: SenderHandle | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    const inboxPort = await freePort();
    // Anything not routed below would be relayed here: nothing should be.
    sink = await startSmtpSink();
    postfix = await startPostfix({
      relayPort: sink.port,
      // The recipients' domain is local to Postfix, with local(8) and no recipient check at
      // SMTP time (`local_recipient_maps =`, no luser_relay): Postfix accepts the message,
      // then local(8) finds no such user and the bounce daemon writes Postfix's own DSN
      // (5.1.1 unknown user), as when a mailbox disappears after acceptance. A recipient
      // check at RCPT would give the sender a 550 instead, and no DSN; an `error:` transport
      // would give a DSN too, but with a status and text we wrote ourselves.
      localDomains: ['example.com'],
      // The MX of the bounce domain, as a transport: the DSN goes to the inbox.
      transports: { [BOUNCE_DOMAIN]: `smtp:[127.0.0.1]:${inboxPort}` },
    });
    config = testSenderConfig({ BOUNCE_ADDRESS: `bounces@${BOUNCE_DOMAIN}`, BOUNCE_INBOX_PORT: String(inboxPort) });
  });
  afterAll(async () => {
    await sender?.close();
    if (config) await dropQueue(config);
    await postfix?.stop();
    await sink?.close();
    t?.close();
  });

  it('suppresses a subscriber whose address Postfix bounced', { timeout: 90_000 }, async () => {
    const { campaign, subscribers } = await seedCampaign(t.db, { subscribers: 1, smtpPort: postfix.port });
    const address = subscribers[0]!.email;
    sender = await startTestSender(t.db, config);
    await campaignReaches(t.db, campaign.id, 'sent');
    const [message] = await t.db.select().from(messages).where(eq(messages.campaignId, campaign.id));
    // Postfix took the message (a queue id came back): the bounce is its DSN, not a 550.
    expect(message).toMatchObject({ status: 'sent' });
    expect(message!.providerMessageId).toMatch(/^[0-9A-Za-z]{6,}$/);

    const suppression = await waitFor(
      'the DSN to reach the bounce inbox',
      async () => (await t.db.select().from(suppressions).where(eq(suppressions.email, address)))[0],
      45_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}. Postfix's log:\n${await postfix.log()}`);
    });
    expect(suppression).toMatchObject({ reason: 'hard_bounce', eventKey: `bounce-inbox:${message!.id}:${address}:hard` });
    const [bounce] = await t.db
      .select()
      .from(events)
      .where(and(eq(events.messageId, message!.id), eq(events.type, 'bounce')));
    expect(bounce).toMatchObject({ source: 'bounce-inbox', bounceClass: 'hard', subscriberId: subscribers[0]!.id, campaignId: campaign.id });
    expect(bounce!.data).toMatchObject({ status: '5.1.1', diagnostic: expect.stringContaining('unknown user') });
    expect(sink.received).toEqual([]);
  });
});
