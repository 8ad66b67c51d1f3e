// The smtp driver against a real MTA: Debian's Postfix on loopback accepts, queues and
// relays to the SMTP sink. What arrives must parse back to what we built, the id Postfix
// queued it under must come back as providerMessageId, and a recipient Postfix refuses
// must come back as a permanent failure.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../sender/drivers/driver';
import { createSmtpDriver } from '../sender/drivers/smtp';
import { classifySendError } from '../sender/send-error';
import { conformanceMessage } from './helpers/driver-conformance';
import { postfixInstalled, startPostfix, type PostfixInstance } from './helpers/postfix';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './helpers/smtp-sink';

const installed = postfixInstalled();
if (!installed) console.warn('postfix.test.ts: skipped, Postfix is not installed (apt-get install postfix; .ci/run does it)');

const REJECTED = 'gone@example.net';

describe.skipIf(!installed)('smtp driver through Postfix', () => {
  let sink: SmtpSink;
  let postfix: PostfixInstance;
  let driver: Driver;

  beforeAll(async () => {
    sink = await startSmtpSink();
    postfix = await startPostfix({ relayPort: sink.port, rejectRecipients: { [REJECTED]: '550 5.1.1 <gone@example.net>: Recipient address rejected: no such user' } });
    driver = createSmtpDriver({ config: { host: '127.0.0.1', port: postfix.port, security: 'none', poolSize: 2 }, secrets: {} });
    await driver.connect();
  });
  afterAll(async () => {
    await driver?.close();
    await postfix?.stop();
    await sink?.close();
  });

  async function relayed(to: string): Promise<ReceivedMail> {
    for (let i = 0; i < 150; i++) {
      const mail = sink.received.find((m) => m.envelopeTo.includes(to));
      if (mail) return mail;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Postfix did not relay the message to ${to} within 15 s. Its log:\n${await postfix.log()}`);
  }

  it('relays the message intact and returns the queue id Postfix gave it', async () => {
    const message = conformanceMessage(7, { text: `Hello Zoë,\n.\n.a line with a leading dot\n${'x'.repeat(1500)}\n` });
    const result = await driver.send(message);
    expect(result.response).toMatch(/^250 .*queued as/);
    expect(result.providerMessageId).toMatch(/^[0-9A-Za-z]{6,}$/);

    const received = await relayed('zoe7@example.org');
    expect(received.envelopeFrom).toBe(message.envelopeFrom);
    const mail = await simpleParser(received.raw);
    // Postfix's own Received header names the queue id it handed back to us.
    expect(mail.headers.get('received')).toEqual(expect.stringContaining(`id ${result.providerMessageId}`));
    expect(mail.from?.value).toEqual([{ name: 'Shöp News', address: 'news@shop.example' }]);
    expect(mail.to).toMatchObject({ value: [{ name: 'Zoë Martin', address: 'zoe7@example.org' }] });
    expect(mail.subject).toBe(message.subject);
    expect(mail.messageId).toBe(message.messageIdHeader);
    expect(mail.text).toBe(message.text);
    expect(mail.html).toBe(message.html);
    expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { url: 'https://t.shop.example/u/tok7' }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
  });

  it('returns a recipient Postfix refuses as a permanent failure, in its own words', async () => {
    const error = await driver.send(conformanceMessage(8, { to: REJECTED })).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).not.toBeNull();
    const classified = classifySendError(error);
    expect(classified.outcome).toBe('permanent');
    expect(classified.message).toContain('no such user');
  });

  it('keeps relaying over the pooled connection after a refusal', async () => {
    const results = await Promise.all([20, 21, 22].map((id) => driver.send(conformanceMessage(id))));
    expect(new Set(results.map((r) => r.providerMessageId)).size).toBe(3);
    for (const id of [20, 21, 22]) expect((await relayed(`zoe${id}@example.org`)).envelopeTo).toEqual([`zoe${id}@example.org`]);
  });
});
