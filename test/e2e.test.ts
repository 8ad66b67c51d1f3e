// From campaign to inbox on one machine: the API on a real HTTP server, the sender plane on
// the real Redis, an SMTP relay on loopback, and the recipient's clicks, opens and one-click
// unsubscribe coming back.
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/sender';
import { startStack, type Stack } from './helpers/stack';

const RECIPIENTS = 100;
const mjml = `<mjml><mj-body><mj-section><mj-column>
  <mj-text>Bonjour {{ subscriber.name | default: "ami" }}, the {{ subscriber.attributes.city }} store is open.</mj-text>
  <mj-button href="https://shop.example.com/spring?ref={{ subscriber.id }}">Shop the sale</mj-button>
  <mj-text><a href="mailto:help@shop.example.com">Write to us</a> · <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

describe('campaign to inbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('sends a personalised campaign, follows its links back, and skips the unsubscribed next time', async () => {
    const { api, sink, base } = stack;
    const waitForSent = (id: number) => stack.campaignReaches(id, 'sent');
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

    // Exactly one message per subscriber, each addressed, personalised and tracked right.
    expect(sink.received).toHaveLength(RECIPIENTS);
    const checked = new Map<string, Delivered>();
    for (const raw of sink.received) {
      expect(raw.envelopeTo).toHaveLength(1);
      const to = raw.envelopeTo[0]!;
      const n = Number(/^client(\d+)@example\.org$/.exec(to)?.[1]);
      checked.set(to, await checkDelivered(raw.raw, n, base));
    }
    expect(checked.size).toBe(RECIPIENTS);
    expect(new Set([...checked.values()].map((d) => d.messageId)).size).toBe(RECIPIENTS);
    const { clickUrl, pixel, unsubscribeUrl } = checked.get('client42@example.org')!;

    // The recipient clicks, opens and unsubscribes.
    const click = await fetch(clickUrl, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toMatch(/^https:\/\/shop\.example\.com\/spring\?ref=\d+$/);
    const open = await fetch(pixel);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('image/gif');
    const unsubscribe = await fetch(unsubscribeUrl, {
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

interface Delivered {
  messageId: string;
  clickUrl: string;
  pixel: string;
  unsubscribeUrl: string;
}

/** Checks one delivered message for subscriber `n` and returns its tracking URLs. */
async function checkDelivered(raw: string, n: number, base: string): Promise<Delivered> {
  const mail: ParsedMail = await simpleParser(raw);
  const html = mail.html as string;
  expect(mail.subject).toBe(`Spring sale for Client ${n}`);
  expect((mail.to as { text: string }).text).toContain(`client${n}@example.org`);
  expect(html).toContain(`Bonjour Client ${n}, the Ville ${n} store is open.`);
  expect(mail.text).toContain(`Bonjour Client ${n}`);
  expect(mail.messageId).toMatch(/^<.+@shop\.example\.com>$/);

  // Links rewritten to signed click URLs, mailto untouched, one pixel.
  const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  expect(hrefs.some((h) => h.includes('shop.example.com/spring'))).toBe(false);
  expect(hrefs).toContain('mailto:help@shop.example.com');
  const clickUrl = hrefs.find((h) => h.startsWith(`${base}/t/c/`));
  expect(clickUrl).toMatch(new RegExp(`^${base}/t/c/`));
  const pixels = [...html.matchAll(new RegExp(`<img[^>]+src="(${base}/t/o/[^"]+)"`, 'g'))].map((m) => m[1]!);
  expect(pixels).toHaveLength(1);

  // Unsubscribe headers (RFC 2369 and RFC 8058).
  const headers = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n\s+/g, ' ');
  expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  expect(headers).toMatch(/^List-Unsubscribe: .*<mailto:[^>]+>/m);
  const unsubscribeUrl = /^List-Unsubscribe: .*?<(https?:\/\/[^>]+\/u\/[^>]+)>/m.exec(headers)?.[1];
  expect(unsubscribeUrl).toMatch(new RegExp(`^${base}/u/`));
  return { messageId: mail.messageId!, clickUrl: clickUrl!, pixel: pixels[0]!, unsubscribeUrl: unsubscribeUrl! };
}
