// The bounce inbox over real SMTP on loopback, with a real libSQL file: which addresses it
// takes, what it records for DSNs, complaints, claims and unsubscribe mails, and that it
// acknowledges only what it stored.
import { createConnection } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../node/open-database';
import { events, listMembers, suppressions } from '../../shared/db/schema';
import { deriveKeys, type Keys } from '../../shared/keys';
import { signToken } from '../../shared/tokens';
import { verpAddress } from '../../shared/verp';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { describeWithFixtures, readFixture } from '../../test/helpers/fixtures';
import { TEST_SECRET } from '../../test/helpers/sender';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { startBounceInbox, type BounceInbox } from './bounce-inbox';

const BOUNCE = 'bounces@bounce.shop.example';

interface Dialogue {
  /** The reply to each RCPT TO, in order. */
  rcpt: string[];
  /** The reply after the message's final dot; undefined when no recipient was accepted. */
  data?: string;
  /** The EHLO reply, every line. */
  ehlo: string;
}

/** Speaks SMTP to the inbox as an MTA would (null sender, as for a DSN) and returns its replies. */
async function deliver(port: number, to: string[], raw: string): Promise<Dialogue> {
  const socket = createConnection(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiting: ((reply: string) => void)[] = [];
  let lines: string[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      lines.push(line);
      // The last line of a reply has a space after the code.
      if (/^\d{3} /.test(line)) {
        const reply = lines.join('\n');
        lines = [];
        waiting.shift()?.(reply);
      }
    }
  });
  const reply = (command?: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      if (command !== undefined) socket.write(`${command}\r\n`);
    });
  await reply();
  const ehlo = await reply('EHLO mta.example.net');
  await reply('MAIL FROM:<>');
  const rcpt = [];
  for (const address of to) rcpt.push(await reply(`RCPT TO:<${address}>`));
  let data: string | undefined;
  if (rcpt.some((r) => r.startsWith('250'))) {
    await reply('DATA');
    const body = raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    data = await reply(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.`);
  }
  await reply('QUIT');
  socket.destroy();
  return { rcpt, ehlo, ...(data !== undefined ? { data } : {}) };
}

/** A DSN as Postfix writes it, about one recipient, quoting the original's headers. */
function dsn(recipient: string, originalHeaders = `To: ${recipient}\nSubject: Hello`): string {
  return `From: MAILER-DAEMON@mta.example.net (Mail Delivery System)
To: ${BOUNCE}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mta.example.net.

<${recipient}>: unknown user: "${recipient.split('@')[0]}"

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mta.example.net
Arrival-Date: Tue,  1 Apr 2025 10:00:00 +0000 (UTC)

Final-Recipient: rfc822; ${recipient}
Original-Recipient: rfc822;${recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Postfix; unknown user: "${recipient.split('@')[0]}"

--B1
Content-Type: text/rfc822-headers

From: Shop <news@shop.example.com>
${originalHeaders}

--B1--
`;
}

describe('bounce inbox', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let keys: Keys;
  let inbox: BounceInbox;
  let logged: string[];

  const log = { debug: (line: string) => void logged.push(line), error: (line: string) => void logged.push(line) };
  const start = (db = t.db, maxBytes = 200_000) => startBounceInbox({ db, keys, bounceAddress: BOUNCE, host: '127.0.0.1', port: 0, maxBytes, log });
  const verp = (index: number) => verpAddress(keys, BOUNCE, seed.messageIds[index]!);
  const suppressionOf = async (email: string) => (await t.db.select().from(suppressions).where(eq(suppressions.email, email)))[0];

  beforeAll(async () => {
    keys = await deriveKeys(TEST_SECRET);
  });
  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 3);
    logged = [];
    inbox = await start();
  });
  afterEach(async () => {
    await inbox.close();
    t.close();
  });

  it('offers neither AUTH nor STARTTLS, and refuses every address but its own', async () => {
    const genuine = await verp(0);
    const forged = genuine.replace(/-[0-9a-f]{12}@/, '-0123456789ab@');
    const reply = await deliver(inbox.port, ['ann@example.com', `${BOUNCE.split('@')[0]}+${seed.messageIds[1]}-ffffffffffff@bounce.shop.example`, forged, 'postmaster@bounce.shop.example', 'bounces@other.example'], 'Subject: x\n\nx\n');
    expect(reply.ehlo).not.toMatch(/AUTH|STARTTLS/);
    expect(reply.rcpt).toEqual([
      expect.stringMatching(/^550 5\.7\.1 Relaying denied: this is the Edgepost bounce inbox of bounce\.shop\.example/),
      expect.stringMatching(/^550 5\.1\.1 No such address/),
      expect.stringMatching(/^550 5\.1\.1 No such address/),
      expect.stringMatching(/^550 5\.1\.1 No such address/),
      expect.stringMatching(/^550 5\.7\.1 Relaying denied/),
    ]);
    expect(reply.data).toBeUndefined();
  });

  it('records a DSN to a VERP address as a hard bounce of that message, once however often it arrives', async () => {
    const to = await verp(0);
    // A forwarding alias in the DSN: the address we sent to is the one suppressed.
    const message = dsn('alias@forward.example.org');
    expect((await deliver(inbox.port, [to.toUpperCase()], message)).data).toMatch(/^250 /);
    expect((await deliver(inbox.port, [to], message)).data).toMatch(/^250 /);
    const rows = await t.db.select().from(events);
    expect(rows).toMatchObject([
      { key: `bounce-inbox:${seed.messageIds[0]}:alias@forward.example.org:hard`, type: 'bounce', bounceClass: 'hard', source: 'bounce-inbox', messageId: seed.messageIds[0], recipient: 'reader1@example.com' },
    ]);
    expect(rows[0]!.data).toMatchObject({ status: '5.1.1' });
    expect(await suppressionOf('reader1@example.com')).toMatchObject({ reason: 'hard_bounce' });
    expect(await suppressionOf('alias@forward.example.org')).toBeUndefined();
  });

  it('acts on mail to the bare address only with the signed token of the quoted original, for the address that message went to', async () => {
    const [, m2] = seed.messageIds as [number, number, number];
    const token = signToken(keys, { kind: 'unsubscribe', messageId: m2 });
    const quoted = (to: string, listUnsubscribe: string) =>
      `To: ${to}\nX-Edgepost-Message: ${m2}\nList-Unsubscribe: ${listUnsubscribe}`;
    const honest = dsn('reader2@example.com', quoted('reader2@example.com', `<http://edge.test/u/${token}>, <mailto:bounces+unsubscribe@bounce.shop.example?subject=unsubscribe%20${token}>`));
    // Guessable claims without the token, a token for another address, a forged token: nothing.
    const unsigned = dsn('reader2@example.com', `To: reader2@example.com\nX-Edgepost-Message: ${m2}`);
    const otherAddress = dsn('reader3@example.com', quoted('reader3@example.com', `<http://edge.test/u/${token}>`));
    const forgedToken = dsn('reader2@example.com', quoted('reader2@example.com', `<http://edge.test/u/${token.slice(0, -2)}xx>`));
    for (const forged of [unsigned, otherAddress, forgedToken]) expect((await deliver(inbox.port, [BOUNCE], forged)).data).toMatch(/^250 /);
    expect(await t.db.$count(events)).toBe(0);
    expect((await deliver(inbox.port, [BOUNCE], honest)).data).toMatch(/^250 /);
    expect(await t.db.select({ key: events.key, messageId: events.messageId }).from(events)).toEqual([{ key: `bounce-inbox:${m2}:reader2@example.com:hard`, messageId: m2 }]);
    expect((await t.db.select().from(suppressions)).map((s) => s.email)).toEqual(['reader2@example.com']);
  });

  it('unsubscribes on a mail with a valid token in its subject, and ignores one without', async () => {
    const token = signToken(keys, { kind: 'unsubscribe', messageId: seed.messageIds[0]! });
    const to = 'bounces+unsubscribe@bounce.shop.example';
    const mail = (subject: string) => `From: reader1@example.com\nTo: ${to}\nSubject: ${subject}\n\nThis message was sent by the unsubscribe button.\n`;
    expect((await deliver(inbox.port, [to], mail(`unsubscribe ${token.slice(0, -2)}xx`))).data).toMatch(/^250 /);
    expect(await t.db.$count(events)).toBe(0);
    expect((await deliver(inbox.port, [to], mail(`unsubscribe ${token}`))).data).toMatch(/^250 /);
    const memberships = await t.db.select().from(listMembers).where(eq(listMembers.subscriberId, seed.subscriberIds[0]!));
    const status = Object.fromEntries(memberships.map((m) => [m.listId, m.status]));
    expect(status).toEqual({ [seed.listIds[0]]: 'unsubscribed', [seed.listIds[1]]: 'unsubscribed', [seed.otherListId]: 'subscribed' });
    expect(await t.db.select({ key: events.key, type: events.type }).from(events)).toEqual([{ key: `unsubscribe:${seed.messageIds[0]}`, type: 'unsubscribe' }]);
    expect(logged.join('\n')).not.toContain('@');
  });

  it('answers 451 when the database fails, and records the same message when the MTA retries', async () => {
    const broken = await openDatabase(t.url);
    const failing = await start(broken.db);
    broken.client.close();
    const to = await verp(2);
    const message = dsn('reader3@example.com');
    expect((await deliver(failing.port, [to], message)).data).toMatch(/^451 4\.3\.0 /);
    await failing.close();
    expect(await t.db.$count(events)).toBe(0);
    expect((await deliver(inbox.port, [to], message)).data).toMatch(/^250 /);
    expect(await suppressionOf('reader3@example.com')).toMatchObject({ reason: 'hard_bounce' });
    expect(logged.join('\n')).not.toContain('reader3');
  });

  it('refuses a message over the size limit', async () => {
    const small = await start(t.db, 10_000);
    const reply = await deliver(small.port, [await verp(0)], dsn('reader1@example.com') + `${'x'.repeat(76)}\n`.repeat(200));
    await small.close();
    expect(reply.data).toMatch(/^552 /);
    expect(await t.db.$count(events)).toBe(0);
  });
});

describeWithFixtures('bounce inbox on real reports', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let keys: Keys;
  let inbox: BounceInbox;
  const logged: string[] = [];
  beforeAll(async () => {
    keys = await deriveKeys(TEST_SECRET);
  });
  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 2);
    inbox = await startBounceInbox({ db: t.db, keys, bounceAddress: BOUNCE, host: '127.0.0.1', port: 0, maxBytes: 1_000_000, log: { debug: (l) => void logged.push(l), error: (l) => void logged.push(l) } });
  });
  afterEach(async () => {
    await inbox.close();
    t.close();
  });

  const deliverFixture = async (file: string, messageIndex: number) =>
    deliver(inbox.port, [verpAddress(keys, BOUNCE, seed.messageIds[messageIndex]!)], readFixture(`bounces/${file}`).toString('latin1'));

  it('suppresses on an ARF abuse report and keeps a soft bounce as a count', async () => {
    expect((await deliverFixture('sisimai-arf-02.eml', 0)).data).toMatch(/^250 /);
    expect((await deliverFixture('sisimai-lhost-gmail-06.eml', 1)).data).toMatch(/^250 /);
    expect((await t.db.select().from(suppressions)).map((s) => [s.email, s.reason])).toEqual([['reader1@example.com', 'complaint']]);
    expect((await t.db.select({ type: events.type, bounceClass: events.bounceClass, messageId: events.messageId }).from(events).orderBy(events.id))).toEqual([
      { type: 'complaint', bounceClass: null, messageId: seed.messageIds[0] },
      { type: 'bounce', bounceClass: 'soft', messageId: seed.messageIds[1] },
    ]);
  });

  it('accepts an auto-reply and drops it, logging why without addresses', async () => {
    logged.length = 0;
    expect((await deliverFixture('sisimai-rfc3834-01.eml', 0)).data).toMatch(/^250 /);
    expect(await t.db.$count(events)).toBe(0);
    expect(logged).toEqual([expect.stringContaining('not a bounce')]);
    expect(logged.join('\n')).not.toContain('@');
  });
});
