// The one conformance suite every sending driver passes: the same message and the same
// failures, whatever the relay. Each driver's test file calls describeDriverConformance
// with a fixture that points the driver at the relay (or a local server that answers and
// checks like the provider) and can make it fail the way the provider fails.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMailbox } from '../../shared/render/email-address';
import type { Driver, OutgoingMessage } from '../../sender/drivers/driver';
import { classifySendError } from '../../sender/send-error';

/** What the relay received for one message, as the provider would see it. */
export interface AcceptedMessage {
  /** The recipient address (envelope or API field). */
  to: string;
  /** The From header, or the provider's from field, as an address. */
  from: string;
  subject: string;
  html: string | null;
  text: string;
  /** Headers the relay will put on the message, names lower-cased. */
  headers: Record<string, string>;
}

/** What a relay accepted as raw MIME (SMTP, SES, Mailgun, SparkPost), for the recipient `to`. */
export async function acceptedFromMime(to: string, raw: string | Buffer): Promise<AcceptedMessage> {
  const mail = await simpleParser(raw);
  // Header values unfolded, as a recipient's client shows them.
  const headers = Object.fromEntries(mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim()]));
  return { to, from: mail.from?.value[0]?.address ?? '', subject: mail.subject ?? '', html: mail.html || null, text: mail.text ?? '', headers };
}

/** Failures every relay has, in its own words: the fixture makes the next send fail so. */
export type RelayFailure = 'rate_limited' | 'unavailable' | 'recipient_rejected';

export interface DriverUnderTest {
  driver: Driver;
  /** Everything the relay accepted so far. */
  accepted(): Promise<AcceptedMessage[]>;
  /** The relay answers the next send with this failure. */
  failNext(failure: RelayFailure): void;
  /** A driver for the same relay whose credentials the relay refuses. */
  withBadCredentials(): Driver;
  close(): Promise<void>;
}

export interface DriverFixture {
  name: string;
  start(): Promise<DriverUnderTest>;
}

export function conformanceMessage(messageId: number, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    messageId,
    from: formatMailbox('Shöp News', 'news@shop.example'),
    to: formatMailbox('Zoë Martin', `zoe${messageId}@example.org`),
    subject: `Spring sale nº${messageId} 🌷`,
    text: 'Hello Zoë,\nour spring sale starts today: https://t.shop.example/t/c/abc\n',
    html: '<p>Hello Zoë,</p><p><a href="https://t.shop.example/t/c/abc">Spring sale</a></p>',
    envelopeFrom: `bounces+${messageId}-0123456789ab@shop.example`,
    messageIdHeader: `<${messageId}.7.k1@shop.example>`,
    headers: {
      'List-Unsubscribe': `<https://t.shop.example/u/tok${messageId}>, <mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20tok${messageId}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return classifySendError(err);
  }
  throw new Error('the send was expected to fail');
}

export function describeDriverConformance(fixture: DriverFixture): void {
  describe(`${fixture.name} driver: conformance`, () => {
    let sut: DriverUnderTest;
    beforeAll(async () => {
      sut = await fixture.start();
    });
    afterAll(() => sut?.close());

    it('delivers the message as rendered: addresses, subject, both parts, Message-ID and unsubscribe headers', async () => {
      const message = conformanceMessage(1);
      const result = await sut.driver.send(message);
      expect(typeof result.response).toBe('string');
      const accepted = (await sut.accepted()).find((m) => m.to === 'zoe1@example.org');
      expect(accepted).toBeDefined();
      expect(accepted!.from).toBe('news@shop.example');
      expect(accepted!.subject).toBe(message.subject);
      expect(accepted!.text.replace(/\r\n/g, '\n').trimEnd()).toBe(message.text.trimEnd());
      expect(accepted!.html?.trimEnd()).toBe(message.html);
      expect(accepted!.headers['list-unsubscribe']).toBe(message.headers['List-Unsubscribe']);
      expect(accepted!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(accepted!.headers['message-id']).toBe(message.messageIdHeader);
    });

    it('sends a text-only message', async () => {
      await sut.driver.send(conformanceMessage(2, { html: null }));
      const accepted = (await sut.accepted()).find((m) => m.to === 'zoe2@example.org');
      expect(accepted?.html ?? null).toBeNull();
      expect(accepted?.text.trimEnd()).toBe(conformanceMessage(2).text.trimEnd());
    });

    it('halts on refused credentials, and says so when validating', async () => {
      const bad = sut.withBadCredentials();
      try {
        expect((await failureOf(bad.send(conformanceMessage(3)))).outcome).toBe('halt');
        const problems = await bad.validateConfig();
        expect(problems.length).toBeGreaterThan(0);
        expect(problems[0]!.path).toMatch(/^(secrets|config)\b/);
      } finally {
        await bad.close();
      }
      expect(await sut.driver.validateConfig()).toEqual([]);
    });

    it.each([
      ['rate_limited', 'rate_limited'],
      ['unavailable', 'retry'],
      ['recipient_rejected', 'permanent'],
    ] as const)('classifies the relay answering %s as %s', async (failure, outcome) => {
      sut.failNext(failure);
      expect((await failureOf(sut.driver.send(conformanceMessage(10)))).outcome).toBe(outcome);
    });

    it('describes itself', () => {
      const capabilities = sut.driver.getCapabilities();
      expect(['raw', 'structured']).toContain(capabilities.input);
      expect(capabilities.batchSize).toBeGreaterThanOrEqual(1);
    });
  });
}
