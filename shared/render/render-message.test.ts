import mjml2html from 'mjml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys, type Keys } from '../keys';
import { verifyToken } from '../tokens';
import { HONEYPOT_URL } from '../tracking/classify-hit';
import { parseVerpAddress } from '../verp';
import { TemplateError, compileCampaign, type CampaignSource, type CompiledCampaign } from './compile-campaign';
import { renderMessage, type Recipient, type RenderSettings } from './render-message';

const PUBLIC_URL = 'https://t.shop.example';
let keys: Keys;
let settings: RenderSettings;
beforeAll(async () => {
  keys = await deriveKeys('render-message-test-secret-0123456789abcdef');
  settings = { publicUrl: PUBLIC_URL, keys, bounceAddress: 'bounces@mail.shop.example' };
});

const MJML = `<mjml>
<mj-head><mj-title>{{ campaign.name }}</mj-title><mj-preview>For {{ subscriber.name }}</mj-preview></mj-head>
<mj-body>
<mj-raw>{% if subscriber.attributes.vip %}</mj-raw>
<mj-section><mj-column><mj-text>VIP corner</mj-text></mj-column></mj-section>
<mj-raw>{% endif %}</mj-raw>
<mj-section><mj-column>
<mj-text><h1>Hello {{ subscriber.name | default: "friend" }}</h1>
<p>News from {{ subscriber.attributes.city | default: "your town" }} for {{ subscriber.email }}.</p>
<p><a href="https://shop.example/sale?a=1&amp;b=2">Sale</a> <a href="mailto:help@shop.example">Help</a> <a href="tel:+33123456789">Call</a> <a href="#top">Top</a></p>
{% for product in subscriber.attributes.products %}<p><a href="https://shop.example/p/{{ product }}?u={{ subscriber.id }}">{{ product }}</a></p>{% endfor %}
</mj-text>
<mj-button href="https://shop.example/?u={{ subscriber.id }}&amp;n={{ subscriber.name | url_encode }}">Shop</mj-button>
<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Preferences</a></mj-text>
</mj-column></mj-section>
</mj-body>
</mjml>`;

const source: CampaignSource = { id: 7, name: 'Spring', subject: 'Hi {{ subscriber.name | default: "friend" }} & <co>', fromAddress: 'Shop <news@shop.example>', format: 'mjml', body: MJML };

function recipient(messageId: number, name: string, attributes: Record<string, unknown> = {}): Recipient {
  return { messageId, subscriber: { id: 3, email: 'ann@example.com', name, attributes } };
}

const hrefs = (html: string) => [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((m) => m[1]!);
const TOKEN = String.raw`[\w-]+\.[\w-]+\.[\w-]+`;
const clickTokens = (text: string) => [...text.matchAll(new RegExp(`https://t\\.shop\\.example/t/c/(${TOKEN})`, 'g'))].map((m) => m[1]!);

/** The hidden honeypot anchor beside the pixel (capturing its token). */
const HONEYPOT_ANCHOR = new RegExp(`<a href="https://t\\.shop\\.example/t/c/(${TOKEN})" style="display:none;" aria-hidden="true" tabindex="-1"></a>`, 'g');
/** The HTML as a person meets it: without the honeypot anchor. */
const visible = (html: string) => html.replace(HONEYPOT_ANCHOR, '');

function clickedUrls(text: string): string[] {
  return clickTokens(text).map((token) => verifyToken([keys], token, 'click')?.url ?? 'INVALID');
}

describe('renderMessage', () => {
  let compiled: CompiledCampaign;
  beforeAll(async () => {
    compiled = await compileCampaign(source, mjml2html);
  });

  it('personalises the subject and both parts, escaping merge fields in HTML only', async () => {
    const message = renderMessage(compiled, recipient(42, '<script>alert(1)</script>', { city: 'Lyon & co' }), settings);
    expect(message.subject).toBe('Hi <script>alert(1)</script> & <co>');
    expect(message.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).not.toContain('<script>alert');
    expect(message.html).toContain('News from Lyon &amp; co for ann@example.com.');
    expect(message.text).toContain('Hello <script>alert(1)</script>');
    expect(message.text).toContain('News from Lyon & co for ann@example.com.');
    expect(message.html).toContain('<title>Spring</title>');
  });

  it('fills defaults and follows Liquid logic per recipient', async () => {
    const plain = renderMessage(compiled, recipient(1, ''), settings);
    expect(plain.subject).toBe('Hi friend & <co>');
    expect(plain.html).toContain('Hello friend');
    expect(plain.html).toContain('News from your town');
    expect(plain.html).not.toContain('VIP corner');
    const vip = renderMessage(compiled, recipient(2, 'Bo', { vip: true }), settings);
    expect(vip.html).toContain('VIP corner');
    expect(vip.text).toContain('VIP corner');
  });

  it('never lets subscriber data run as Liquid or forge a link marker', async () => {
    const sneaky = '{{ campaign.name }}{% if true %}x{% endif %} ep0123456789abm0z';
    const message = renderMessage(compiled, recipient(5, sneaky), settings);
    expect(message.text).toContain(`Hello ${sneaky}`);
    expect(message.subject).toBe(`Hi ${sneaky} & <co>`);
  });

  it('rewrites every http(s) link, with merge tags applied, to a signed click URL', async () => {
    const message = renderMessage(compiled, recipient(42, 'Ann Lee', { products: ['shoe', 'hat'] }), settings);
    const links = hrefs(visible(message.html!));
    const tracked = links.filter((href) => href.startsWith(`${PUBLIC_URL}/t/c/`));
    expect(tracked).toHaveLength(4);
    expect(clickedUrls(tracked.join(' '))).toEqual([
      'https://shop.example/sale?a=1&b=2',
      'https://shop.example/p/shoe?u=3',
      'https://shop.example/p/hat?u=3',
      'https://shop.example/?u=3&n=Ann+Lee', // Liquid's url_encode writes a space as +
    ]);
    const claims = verifyToken([keys], clickTokens(tracked[0]!)[0]!, 'click');
    expect(claims?.messageId).toBe(42);
  });

  it('leaves mailto:, tel:, anchors and the unsubscribe links alone', async () => {
    const message = renderMessage(compiled, recipient(42, 'Ann'), settings);
    const unsubscribe = message.headers['List-Unsubscribe']!.match(/^<([^>]+)>/)![1]!;
    expect(hrefs(message.html!).filter((href) => !href.startsWith(`${PUBLIC_URL}/t/c/`))).toEqual([
      'mailto:help@shop.example',
      'tel:+33123456789',
      '#top',
      unsubscribe,
      unsubscribe,
    ]);
    const token = unsubscribe.slice(`${PUBLIC_URL}/u/`.length);
    expect(verifyToken([keys], token, 'unsubscribe')).toEqual({ kind: 'unsubscribe', messageId: 42 });
  });

  it('rewrites the same links in the plain-text part', async () => {
    const message = renderMessage(compiled, recipient(42, 'Ann', { products: ['shoe'] }), settings);
    expect(clickTokens(message.text)).toEqual(clickTokens(visible(message.html!)));
    expect(message.text).toMatch(/Sale \[https:\/\/t\.shop\.example\/t\/c\/[\w.-]+\] Help \[help@shop\.example\] Call \[tel:\+33123456789\] Top/);
    expect(message.text).toContain(`Unsubscribe [${PUBLIC_URL}/u/`);
    expect(message.text).not.toMatch(/\n{3,}/);
    expect(message.text).not.toContain('For Ann'); // the hidden preview text
  });

  it('adds the open pixel once, just before </body>', async () => {
    const message = renderMessage(compiled, recipient(42, 'Ann'), settings);
    const pixels = [...message.html!.matchAll(/<img src="https:\/\/t\.shop\.example\/t\/o\/([\w.-]+)" width="1" height="1" alt=""[^>]*>/g)];
    expect(pixels).toHaveLength(1);
    expect(visible(message.html!.slice(pixels[0]!.index + pixels[0]![0].length)).trim()).toMatch(/^<\/body>\s*<\/html>$/);
    expect(verifyToken([keys], pixels[0]![1]!, 'open')).toEqual({ kind: 'open', messageId: 42 });
  });

  it('adds one honeypot link beside the pixel, hidden from people and screen readers, signed for the honeypot URL, and not in the text part', async () => {
    const message = renderMessage(compiled, recipient(42, 'Ann'), settings);
    const anchors = [...message.html!.matchAll(HONEYPOT_ANCHOR)];
    expect(anchors).toHaveLength(1);
    expect(message.html!.slice(anchors[0]!.index + anchors[0]![0].length).trim()).toMatch(/^<\/body>\s*<\/html>$/);
    expect(verifyToken([keys], anchors[0]![1]!, 'click')).toEqual({ kind: 'click', messageId: 42, url: HONEYPOT_URL });
    expect(message.text).not.toContain(anchors[0]![1]!);
    expect(clickedUrls(message.text)).not.toContain(HONEYPOT_URL);
  });

  it('sets the headers, the addresses and a VERP return path that parses back', async () => {
    const message = renderMessage(compiled, recipient(42, 'Ann "Jo" Lee'), settings);
    const token = message.headers['List-Unsubscribe']!.match(/\/u\/([\w.-]+)>/)![1]!;
    expect(message.headers).toEqual({
      'List-Unsubscribe': `<${PUBLIC_URL}/u/${token}>, <mailto:bounces+unsubscribe@mail.shop.example?subject=unsubscribe%20${token}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(message.from).toBe('"Shop" <news@shop.example>');
    expect(message.to).toBe('"Ann \\"Jo\\" Lee" <ann@example.com>');
    expect(message.messageIdHeader).toBe(`<42.7.${keys.trackingKeyId}@shop.example>`);
    expect(message.envelopeFrom).toMatch(/^bounces\+42-[0-9a-f]{12}@mail\.shop\.example$/);
    expect(parseVerpAddress(keys, message.envelopeFrom)).toBe(42);
  });

  it('is deterministic per message and unique across messages', async () => {
    const first = renderMessage(compiled, recipient(42, 'Ann'), settings);
    const again = renderMessage(compiled, recipient(42, 'Ann'), settings);
    const other = renderMessage(compiled, recipient(43, 'Ann'), settings);
    expect(again).toEqual(first);
    expect(other.messageIdHeader).toBe(`<43.7.${keys.trackingKeyId}@shop.example>`);
    expect(other.messageIdHeader).not.toBe(first.messageIdHeader);
    // Another install (another secret) never reuses a Message-ID for its own message 42.
    const elsewhere = renderMessage(compiled, recipient(42, 'Ann'), { ...settings, keys: await deriveKeys('another-install-secret-0123456789abcdef') });
    expect(elsewhere.messageIdHeader).not.toBe(first.messageIdHeader);
  });

  it('sends bounces to bounces@<from domain> when no bounce address is set', async () => {
    const message = renderMessage(compiled, recipient(9, 'Ann'), { publicUrl: PUBLIC_URL, keys });
    expect(message.envelopeFrom).toMatch(/^bounces\+9-[0-9a-f]{12}@shop\.example$/);
    expect(parseVerpAddress(keys, message.envelopeFrom)).toBe(9);
    expect(message.headers['List-Unsubscribe']).toContain('<mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20');
  });

  it('keeps the subject on one line whatever the data holds', async () => {
    const message = renderMessage(compiled, recipient(1, 'Eve\r\nBcc: victim@example.com'), settings);
    expect(message.subject).toBe('Hi Eve Bcc: victim@example.com & <co>');
  });

  it('refuses a recipient or settings it cannot render, naming the field', async () => {
    expect(() => renderMessage(compiled, recipient(0, 'A'), settings)).toThrow('recipient.messageId must be a positive integer');
    expect(() => renderMessage(compiled, { messageId: 1, subscriber: { id: 1, email: 'a@b.example>\r\nBcc: x@y.example', name: '', attributes: {} } }, settings)).toThrow(
      'recipient.subscriber.email',
    );
    expect(() => renderMessage(compiled, recipient(1, 'A'), { ...settings, publicUrl: 'https://t.example/' })).toThrow('settings.publicUrl');
    expect(() => renderMessage(compiled, recipient(1, 'A'), { ...settings, bounceAddress: 'nope' })).toThrow('settings.bounceAddress');
  });
});

describe('renderMessage for html and text campaigns', () => {
  it('uses an HTML body as it is, appending the pixel when it has no </body>', async () => {
    const compiled = await compileCampaign({ ...source, format: 'html', body: '<p>Hi {{ subscriber.name }}</p><a href="https://shop.example/">Shop</a>' }, mjml2html);
    const message = renderMessage(compiled, recipient(8, 'Ann'), settings);
    expect(message.html).toMatch(/^<p>Hi Ann<\/p><a href="https:\/\/t\.shop\.example\/t\/c\/[\w.-]+">Shop<\/a><img src="https:\/\/t\.shop\.example\/t\/o\/[\w.-]+"[^>]*><a [^>]*aria-hidden="true"[^>]*><\/a>$/);
    expect(message.text).toMatch(/^Hi Ann\n\nShop \[https:\/\/t\.shop\.example\/t\/c\/[\w.-]+\]$/);
  });

  it('renders Liquid tags inside a link before signing it', async () => {
    const body = '<a href="https://shop.example/{% if subscriber.attributes.vip %}vip{% else %}all{% endif %}?u={{ subscriber.id }}">Shop</a>';
    const compiled = await compileCampaign({ ...source, format: 'html', body }, mjml2html);
    const vip = renderMessage(compiled, recipient(8, 'Ann', { vip: true }), settings);
    const other = renderMessage(compiled, recipient(9, 'Bo'), settings);
    expect(clickedUrls(visible(vip.html!))).toEqual(['https://shop.example/vip?u=3']);
    expect(clickedUrls(other.text)).toEqual(['https://shop.example/all?u=3']);
  });

  it('turns a script URL from a merge field into a dead link', async () => {
    const compiled = await compileCampaign({ ...source, format: 'html', body: '<a href="{{ subscriber.attributes.site }}">site</a>' }, mjml2html);
    const message = renderMessage(compiled, recipient(8, 'Ann', { site: 'javascript:alert(document.cookie)' }), settings);
    expect(hrefs(visible(message.html!))).toEqual(['#']);
  });

  it('fails fast with a TemplateError when a merge field asks for too much', async () => {
    const compiled = await compileCampaign({ ...source, format: 'html', body: '{% for i in (1..subscriber.attributes.stars) %}★{% endfor %}' }, mjml2html);
    expect((renderMessage(compiled, recipient(8, 'Ann', { stars: 3 }), settings)).html).toMatch(/^★★★<img/);
    const started = performance.now();
    let error: unknown;
    try {
      renderMessage(compiled, recipient(8, 'Ann', { stars: 1e9 }), settings);
    } catch (err) {
      error = err;
    }
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).code).toBe('INVALID_TEMPLATE');
    expect((error as TemplateError).problems).toEqual([{ field: 'body', message: 'Liquid: memory alloc limit exceeded' }]);
  });

  it('sends a text campaign as text, with its bare URLs tracked and no HTML or pixel', async () => {
    const body = 'Hi {{ subscriber.name }},\n\nNew in: https://shop.example/new?u={{ subscriber.id }}.\nLeave: {{ unsubscribe_url }}\n';
    const compiled = await compileCampaign({ ...source, format: 'text', body }, mjml2html);
    const message = renderMessage(compiled, recipient(8, '<Ann>'), settings);
    expect(message.html).toBeNull();
    expect(message.text).toMatch(/^Hi <Ann>,\n\nNew in: https:\/\/t\.shop\.example\/t\/c\/[\w.-]+\.\nLeave: https:\/\/t\.shop\.example\/u\/[\w.-]+\n$/);
    expect(clickedUrls(message.text)).toEqual(['https://shop.example/new?u=3']);
  });
});
