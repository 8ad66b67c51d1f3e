// The SMTP driver against a real SMTP server on loopback: what arrives is parsed back, so
// the MIME we build survives SMTP itself (dot-stuffing, line endings, the final CRLF).
import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMailbox } from '../../shared/render/email-address';
import { acceptedFromMime, describeDriverConformance, type AcceptedMessage, type RelayFailure } from '../../test/helpers/driver-conformance';
import { startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink';
import { dkimTxtRecord, verifyDkim } from '../../test/helpers/dkim-verify';
import { SendError } from '../send-error';
import type { Driver, OutgoingMessage } from './driver';
import { startScriptedSmtpServer } from '../smtp/testing/scripted-smtp-server';
import { createSmtpDriver } from './smtp';

function outgoing(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    messageId: 41,
    from: formatMailbox('Shöp "News", Paris', 'news@shop.example'),
    to: formatMailbox('山田 太郎 😀', 'taro@example.jp'),
    subject: `Grüße =?utf-8?q?x?= ${'long subject '.repeat(10)}🌷`,
    text: `Hello\n.\n.leading dot\nFrom the top\n${'x'.repeat(2000)}\ntrailing  \nlone\rCR = sign\n`,
    html: '<p>Grüße = 日本語</p>\n.\n',
    envelopeFrom: 'bounces+41-0123456789ab@shop.example',
    messageIdHeader: '<41.3.k1@shop.example>',
    headers: { 'List-Unsubscribe': '<https://t.shop.example/u/tok>, <mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20tok>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    ...overrides,
  };
}

describe('smtp driver', () => {
  let sink: SmtpSink;
  let driver: Driver;

  beforeAll(async () => {
    sink = await startSmtpSink();
    driver = createSmtpDriver({ config: { host: '127.0.0.1', port: sink.port, security: 'none', poolSize: 2 }, secrets: {} });
    await driver.connect();
  });
  afterAll(async () => {
    await driver.close();
    await sink.close();
  });

  it('delivers the message we build, with the VERP envelope, reading back field for field', async () => {
    const message = outgoing();
    const result = await driver.send(message);
    expect(result.response).toMatch(/^250/);

    const received = sink.received.at(-1)!;
    expect(received.envelopeFrom).toBe(message.envelopeFrom);
    expect(received.envelopeTo).toEqual(['taro@example.jp']);
    const mail = await simpleParser(received.raw);
    expect(mail.from?.value).toEqual([{ name: 'Shöp "News", Paris', address: 'news@shop.example' }]);
    expect(mail.to).toMatchObject({ value: [{ name: '山田 太郎 😀', address: 'taro@example.jp' }] });
    expect(mail.subject).toBe(message.subject);
    expect(mail.messageId).toBe(message.messageIdHeader);
    expect(mail.text).toBe(message.text);
    expect(mail.html).toBe(message.html);
    expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { url: 'https://t.shop.example/u/tok' }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
  });

  it('delivers a text-only message exactly, without a newline SMTP would add', async () => {
    const message = outgoing({ html: null, text: 'Only text.\n.\nNo newline at the end' });
    await driver.send(message);
    const mail = await simpleParser(sink.received.at(-1)!.raw);
    expect(mail.html).toBe(false);
    expect(mail.text).toBe(message.text);
  });

  it('sends many messages over the pool without opening a connection each', async () => {
    const before = sink.connections;
    await Promise.all(Array.from({ length: 30 }, (_, i) => driver.send(outgoing({ messageId: 100 + i, to: `p${i}@example.com` }))));
    expect(sink.received.filter((m) => /^p\d+@example\.com$/.test(m.envelopeTo[0]!))).toHaveLength(30);
    expect(sink.connections - before).toBeLessThanOrEqual(2);
  });
});

describe('smtp driver pipelining setting', () => {
  /** What arrived at a server offering PIPELINING in one piece, for one message sent with `pipelining`. */
  async function commandChunks(pipelining: 'on' | 'off' | undefined): Promise<string[]> {
    const server = await startScriptedSmtpServer();
    const driver = createSmtpDriver({ config: { host: '127.0.0.1', port: server.port, security: 'none', ...(pipelining ? { pipelining } : {}) }, secrets: {} });
    try {
      await driver.send(outgoing());
      return server.chunks.map((c) => c.text).filter((t) => /^(MAIL|RCPT|DATA)/.test(t));
    } finally {
      await driver.close();
      await server.close();
    }
  }

  it('pipelines the envelope by default and with "on", and sends each command on its own with "off"', async () => {
    const together = ['MAIL FROM:<bounces+41-0123456789ab@shop.example>\r\nRCPT TO:<taro@example.jp>\r\nDATA\r\n'];
    expect(await commandChunks(undefined)).toEqual(together);
    expect(await commandChunks('on')).toEqual(together);
    expect(await commandChunks('off')).toEqual(['MAIL FROM:<bounces+41-0123456789ab@shop.example>\r\n', 'RCPT TO:<taro@example.jp>\r\n', 'DATA\r\n']);
  });
});

describe('smtp driver with DKIM', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  let sink: SmtpSink;
  const drivers: Driver[] = [];
  const build = (secrets: Parameters<typeof createSmtpDriver>[0]['secrets'], dkim: { domainName: string; keySelector: string } | null = { domainName: 'shop.example', keySelector: 'ep1' }) => {
    const driver = createSmtpDriver({ config: { host: '127.0.0.1', port: sink.port, security: 'none', poolSize: 1, dkim: dkim ?? undefined }, secrets });
    drivers.push(driver);
    return driver;
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    await sink.close();
  });

  it.each([
    { name: 'RSA 2048', keys: rsa, pem: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string },
    { name: 'Ed25519', keys: ed, pem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
  ])('signs what it sends with $name, and what arrives verifies', async ({ keys, pem }) => {
    const driver = build({ dkimPrivateKey: pem });
    expect(driver.getCapabilities().signsDkim).toBe(true);
    for (const message of [outgoing(), outgoing({ html: null, text: 'Only text.\n.\nNo newline at the end' })]) {
      await driver.send(message);
      const arrived = sink.received.at(-1)!.raw;
      const results = await verifyDkim(arrived, { 'ep1._domainkey.shop.example': dkimTxtRecord(keys.publicKey) });
      expect(results.map((r) => r.status.result)).toEqual(['pass']);
      // Parsed back, it is still the message: the signature went in front, nothing else moved.
      const mail = await simpleParser(arrived);
      expect(mail.text).toBe(message.text);
      expect(mail.headers.get('dkim-signature')).toBeTruthy();
    }
    // Any other key (the wrong one published in DNS) fails: the test is not passing everything.
    const other = generateKeyPairSync('ed25519').publicKey;
    const results = await verifyDkim(sink.received.at(-1)!.raw, { 'ep1._domainkey.shop.example': dkimTxtRecord(other) });
    expect(results[0]?.status.result).not.toBe('pass');
  });

  it('sends unsigned, and says so, without DKIM settings', async () => {
    const driver = build({}, null);
    expect(driver.getCapabilities().signsDkim).toBe(false);
    await driver.send(outgoing());
    expect(sink.received.at(-1)!.raw).not.toMatch(/^DKIM-Signature:/im);
  });

  it('refuses to send with a DKIM key that does not parse or half the settings, naming the field', async () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const count = sink.received.length;
    for (const [driver, path, words] of [
      [build({ dkimPrivateKey: short }), 'secrets.dkimPrivateKey', '512 bits'],
      [build({}), 'secrets.dkimPrivateKey', 'required when dkim is set'],
      [build({ dkimPrivateKey: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }, null), 'config.dkim', 'required when the secret'],
    ] as const) {
      expect(driver.getCapabilities().signsDkim).toBe(false);
      const problems = await driver.validateConfig();
      expect(problems).toEqual([{ path, message: expect.stringContaining(words) }]);
      const refused = await driver.send(outgoing()).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SendError);
      expect(refused).toMatchObject({ code: 'ECONFIG', message: expect.stringContaining(path) });
    }
    expect(sink.received.length).toBe(count);
  });
});

describeDriverConformance({
  name: 'smtp',
  async start() {
    const credentials = { user: 'relay-user', pass: 'relay-pass' };
    const sink = await startSmtpSink({ auth: credentials });
    const config = { host: '127.0.0.1', port: sink.port, security: 'none' as const, poolSize: 2 };
    const driver = createSmtpDriver({ config, secrets: credentials });
    const answers: Record<RelayFailure, { code: number; message: string }> = {
      rate_limited: { code: 450, message: '4.7.1 Too many messages, slow down' },
      unavailable: { code: 451, message: '4.3.0 Temporary local problem' },
      recipient_rejected: { code: 550, message: '5.1.1 No such user here' },
    };
    const others: Driver[] = [];
    return {
      driver,
      async accepted(): Promise<AcceptedMessage[]> {
        return Promise.all(sink.received.map((received) => acceptedFromMime(received.envelopeTo[0]!, received.raw)));
      },
      failNext(failure) {
        let used = false;
        sink.rejectRecipient = () => (used ? null : ((used = true), answers[failure]));
      },
      withBadCredentials() {
        const bad = createSmtpDriver({ config, secrets: { user: credentials.user, pass: 'wrong' } });
        others.push(bad);
        return bad;
      },
      async close() {
        await Promise.all([driver, ...others].map((d) => d.close()));
        await sink.close();
      },
    };
  },
});
