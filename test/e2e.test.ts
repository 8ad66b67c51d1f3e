// From campaign to inbox on one machine: the API on a real HTTP server, the sender plane on
// the real Redis, an SMTP relay on loopback, and the recipient's clicks, opens and one-click
// unsubscribe coming back.
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeConfigSchema, parseConfig } from '../shared/config';
import { createApiKey } from '../shared/queries/api-keys';
import { serveEdge, type EdgeServer } from '../edge/node/serve-edge';
import { freePort } from '../node/free-port';
import type { SenderHandle } from '../sender/start-sender';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { dropQueue, startTestSender, TEST_SECRET, testSenderConfig, waitFor } from './helpers/sender';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const RECIPIENTS = 100;
const mjml = `<mjml><mj-body><mj-section><mj-column>
  <mj-text>Bonjour {{ subscriber.name | default: "ami" }}, the {{ subscriber.attributes.city }} store is open.</mj-text>
  <mj-button href="https://shop.example.com/spring?ref={{ subscriber.id }}">Shop the sale</mj-button>
  <mj-text><a href="mailto:help@shop.example.com">Write to us</a> · <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

describe('campaign to inbox', () => {
  let t: TestDatabase;
  let sink: SmtpSink;
  let edge: EdgeServer;
  let sender: SenderHandle;
  let senderConfig: ReturnType<typeof testSenderConfig>;
  let base: string;
  let key: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    sink = await startSmtpSink();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: t.url, SECRET_KEY: TEST_SECRET, PUBLIC_URL: base, PORT: String(port) };
    edge = await serveEdge({ config: parseConfig(edgeConfigSchema, env) });
    senderConfig = testSenderConfig(env);
    sender = await startTestSender(t.db, senderConfig);
    key = (await createApiKey(t.db, 'e2e')).key;
  });
  afterAll(async () => {
    await sender?.close();
    await edge?.close();
    await dropQueue(senderConfig);
    await sink?.close();
    t?.close();
  });

  async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json as T;
  }
  const waitForSent = (id: number) =>
    waitFor(`campaign ${id} sent`, async () => ((await api(`GET`, `/campaigns/${id}`)).status === 'sent' ? true : undefined), 30_000);

  it('sends a personalised campaign, follows its links back, and skips the unsubscribed next time', async () => {
    const list = await api('POST', '/lists', { name: 'Customers', optin: 'single' });
    for (let i = 1; i <= RECIPIENTS; i++) {
      await api('POST', '/subscribers', { email: `Client${i}@Example.org`, name: `Client ${i}`, attributes: { city: `Ville ${i}` }, lists: [list.id] });
    }
    const server = await api('POST', '/sending-servers', {
      name: 'loopback relay',
      driver: 'smtp',
      config: { host: '127.0.0.1', port: sink.port, security: 'none' },
      isDefault: true,
    });
    const campaign = await api('POST', '/campaigns', {
      name: 'Spring',
      subject: 'Spring sale for {{ subscriber.name }}',
      from: 'Shop <news@shop.example.com>',
      lists: [list.id],
      format: 'mjml',
      body: mjml,
      sendingServerId: server.id,
    });
    await api('POST', `/campaigns/${campaign.id}/send`);
    await waitForSent(campaign.id);

    // Exactly one message per subscriber, each addressed and personalised right.
    expect(sink.received).toHaveLength(RECIPIENTS);
    const mails = new Map<string, ParsedMail>();
    for (const raw of sink.received) {
      const mail = await simpleParser(raw.raw);
      expect(raw.envelopeTo).toHaveLength(1);
      mails.set(raw.envelopeTo[0]!, mail);
    }
    expect(mails.size).toBe(RECIPIENTS);
    const mail = mails.get('client42@example.org')!;
    expect(mail.subject).toBe('Spring sale for Client 42');
    expect((mail.to as { text: string }).text).toContain('client42@example.org');
    expect(mail.html).toContain('Bonjour Client 42, the Ville 42 store is open.');
    expect(mail.text).toContain('Bonjour Client 42');
    expect(mail.messageId).toMatch(/^<.+@shop\.example\.com>$/);

    // Links rewritten to signed click URLs, mailto untouched, pixel present.
    const hrefs = [...(mail.html as string).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(hrefs.some((h) => h.includes('shop.example.com/spring'))).toBe(false);
    expect(hrefs).toContain('mailto:help@shop.example.com');
    const clickUrl = hrefs.find((h) => h.startsWith(`${base}/t/c/`))!;
    expect(clickUrl).toBeDefined();
    const pixel = new RegExp(`<img[^>]+src="(${base}/t/o/[^"]+)"`).exec(mail.html as string)?.[1];
    expect(pixel).toBeDefined();

    // Unsubscribe headers (RFC 2369 and RFC 8058).
    const rawHeaders = sink.received.find((r) => r.envelopeTo[0] === 'client42@example.org')!.raw;
    expect(rawHeaders).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const unsubscribeUrl = /<(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(rawHeaders.replace(/\r?\n\s+/g, ' '))?.[1];
    expect(unsubscribeUrl).toMatch(new RegExp(`^${base}/u/`));
    expect(rawHeaders.replace(/\r?\n\s+/g, ' ')).toMatch(/^List-Unsubscribe: .*<mailto:[^>]+>/m);

    // The recipient clicks, opens and unsubscribes.
    const click = await fetch(clickUrl, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toMatch(/^https:\/\/shop\.example\.com\/spring\?ref=\d+$/);
    const open = await fetch(pixel!);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('image/gif');
    const unsubscribe = await fetch(unsubscribeUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(unsubscribe.status).toBe(200);

    const stats = await waitFor('hits recorded', async () => {
      const s = await api('GET', `/campaigns/${campaign.id}/stats`);
      return s.clicked.total === 1 && s.opened.total === 1 ? s : undefined;
    });
    expect(stats).toMatchObject({
      recipients: RECIPIENTS,
      sent: RECIPIENTS,
      failed: 0,
      opened: { total: 1, unique: 1 },
      clicked: { total: 1, unique: 1 },
      unsubscribed: { total: 1, unique: 1 },
    });

    // A second campaign to the same list skips the address that unsubscribed.
    const second = await api('POST', '/campaigns', {
      name: 'Summer',
      subject: 'Summer',
      from: 'Shop <news@shop.example.com>',
      lists: [list.id],
      format: 'text',
      body: 'Hello {{ subscriber.name }}',
    });
    const before = sink.received.length;
    await api('POST', `/campaigns/${second.id}/send`);
    await waitForSent(second.id);
    const secondRecipients = sink.received.slice(before).map((r) => r.envelopeTo[0]);
    expect(secondRecipients).toHaveLength(RECIPIENTS - 1);
    expect(secondRecipients).not.toContain('client42@example.org');
  });
});
