import mjml2html from 'mjml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys, type Keys } from '../keys';
import { verifyToken } from '../tokens';
import { HONEYPOT_URL } from '../tracking/classify-hit';
import { compileCampaign, TemplateError, type CampaignSource, type TrackingPolicy } from './compile-campaign';
import { renderMessage, type RenderSettings } from './render-message';

const PUBLIC_URL = 'https://edge.shop.example';
let keys: Keys;
let settings: RenderSettings;
beforeAll(async () => {
  keys = await deriveKeys('tracking-modes-test-secret-0123456789abcdef');
  settings = { publicUrl: PUBLIC_URL, keys };
});

const HTML = `<!doctype html><html><head><title>x</title></head><body style="margin:0">
<p>Hi {{ subscriber.name }}</p>
<a href="https://shop.example/sale?a=1&amp;b=2">Sale</a>
<a href="https://shop.example/u/{{ subscriber.id }}">You</a>
<a href="mailto:help@shop.example">Help</a>
<a href="{{ unsubscribe_url }}">Unsubscribe</a>
</body></html>`;

const MJML = `<mjml><mj-body><mj-section><mj-column>
<mj-text>Hi {{ subscriber.name }}</mj-text>
<mj-button href="https://shop.example/sale">Shop</mj-button>
</mj-column></mj-section></mj-body></mjml>`;

const base: CampaignSource = { id: 12, name: 'Autumn', subject: 'Hello', fromAddress: 'news@shop.example', format: 'html', body: HTML };
const ann = { messageId: 345, subscriber: { id: 9, email: 'ann@example.com', name: 'Ann <&>', attributes: {} } };

const hrefs = (html: string) => [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
const pixels = (html: string) => [...html.matchAll(/<img src="([^"]*)" width="1" height="1"/g)].map((m) => m[1]!);

async function render(policy: TrackingPolicy | undefined, extra: Partial<CampaignSource> = {}) {
  const compiled = await compileCampaign({ ...base, ...extra, ...(policy ? { trackingPolicy: policy } : {}) }, mjml2html);
  return renderMessage(compiled, ann, settings);
}

describe('tracking modes', () => {
  it('on, by default: every http(s) link and the pixel go through PUBLIC_URL with tokens naming the message', async () => {
    const message = await render(undefined);
    const links = hrefs(message.html!);
    expect(links.slice(0, 2).every((href) => href.startsWith(`${PUBLIC_URL}/t/c/`))).toBe(true);
    expect(links[2]).toBe('mailto:help@shop.example');
    expect(links[3]).toMatch(new RegExp(`^${PUBLIC_URL}/u/`));
    const token = links[0]!.slice(`${PUBLIC_URL}/t/c/`.length);
    expect(verifyToken([keys], token, 'click')).toEqual({ kind: 'click', messageId: 345, url: 'https://shop.example/sale?a=1&b=2' });
    const [pixel] = pixels(message.html!);
    expect(verifyToken([keys], pixel!.slice(`${PUBLIC_URL}/t/o/`.length), 'open')).toEqual({ kind: 'open', messageId: 345 });
  });

  it('off: no pixel, no honeypot, every link exactly as written; unsubscribe link and headers stay', async () => {
    const message = await render({ mode: 'off', domain: 'click.shop.example' });
    expect(pixels(message.html!)).toEqual([]);
    expect(message.html).not.toContain('/t/');
    expect(message.text).not.toContain('/t/');
    expect(hrefs(message.html!)).toEqual([
      'https://shop.example/sale?a=1&b=2',
      'https://shop.example/u/9',
      'mailto:help@shop.example',
      expect.stringMatching(new RegExp(`^${PUBLIC_URL}/u/[\\w.-]+$`)),
    ]);
    expect(message.html).toContain('<a href="https://shop.example/sale?a=1&amp;b=2">Sale</a>');
    expect(message.text).toContain('https://shop.example/sale?a=1&b=2');
    expect(message.headers['List-Unsubscribe']).toContain(`${PUBLIC_URL}/u/`);
    expect(message.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('anonymous: the pixel, the links and the honeypot name the campaign, never the message; unsubscribe still names the message', async () => {
    const message = await render({ mode: 'anonymous', domain: null });
    const [pixel] = pixels(message.html!);
    expect(verifyToken([keys], pixel!.slice(`${PUBLIC_URL}/t/o/`.length), ['open', 'anonymous-open'])).toEqual({ kind: 'anonymous-open', campaignId: 12 });
    const tracked = hrefs(message.html!).filter((href) => href.startsWith(`${PUBLIC_URL}/t/c/`));
    const claims = tracked.map((href) => verifyToken([keys], href.slice(`${PUBLIC_URL}/t/c/`.length), ['click', 'anonymous-click']));
    // The link built from a merge tag (`/u/{{ subscriber.id }}`) is not tracked: its token would name the reader.
    expect(claims).toEqual([
      { kind: 'anonymous-click', campaignId: 12, url: 'https://shop.example/sale?a=1&b=2' },
      { kind: 'anonymous-click', campaignId: 12, url: HONEYPOT_URL },
    ]);
    expect(hrefs(message.html!)[1]).toBe('https://shop.example/u/9');
    // Another reader's mail carries the same pixel: nothing in it tells them apart.
    const other = renderMessage(await compileCampaign({ ...base, trackingPolicy: { mode: 'anonymous', domain: null } }, mjml2html), { ...ann, messageId: 346 }, settings);
    expect(pixels(other.html!)).toEqual([pixel]);
    expect(message.headers['List-Unsubscribe']).toContain(`${PUBLIC_URL}/u/`);
    expect(verifyToken([keys], pixel!.slice(`${PUBLIC_URL}/t/o/`.length), 'open')).toBeNull();
  });

  it('a custom tracking domain carries the pixel and the clicks over HTTPS; the unsubscribe link stays on PUBLIC_URL', async () => {
    const message = await render({ mode: 'on', domain: 'click.shop.example' });
    const links = hrefs(message.html!);
    expect(links[0]).toMatch(/^https:\/\/click\.shop\.example\/t\/c\/[\w.-]+$/);
    expect(links[3]).toMatch(new RegExp(`^${PUBLIC_URL}/u/`));
    expect(pixels(message.html!)[0]).toMatch(/^https:\/\/click\.shop\.example\/t\/o\/[\w.-]+$/);
    expect(message.text).toContain('https://click.shop.example/t/c/');
    expect(message.headers['List-Unsubscribe']).not.toContain('click.shop.example');
  });
});

describe('anonymous tracking and links built by Liquid', () => {
  const OFFER = 'https://shop.example/offer?e={{ subscriber.email | url_encode }}';
  const body = `<p>Hi</p>
<a href="${OFFER}">Offer</a>
<a href="https://shop.example/sale">Sale</a>
{% if subscriber.name != "" %}<a href="https://shop.example/club">Club</a><a href="https://shop.example/me/{{ subscriber.id }}">Me</a>{% endif %}
<a href="{{ subscriber.attributes.site }}">Site</a>`;
  const reader = (messageId: number, email: string, site = 'https://ann.example/') => ({ messageId, subscriber: { id: messageId, email, name: 'R', attributes: { site } } });
  const compile = (mode: TrackingPolicy['mode'], extra: Partial<CampaignSource> = {}) => compileCampaign({ ...base, body, trackingPolicy: { mode, domain: null }, ...extra }, mjml2html);
  const claimsOf = (urls: string[]) => urls.filter((u) => u.startsWith(`${PUBLIC_URL}/t/c/`)).map((u) => verifyToken([keys], u.slice(`${PUBLIC_URL}/t/c/`.length), ['click', 'anonymous-click']));

  it('writes a merge-tag link as rendered, with no token, in and out of Liquid tags; static links are still tracked, alike for every reader', async () => {
    const compiled = await compile('anonymous');
    const [ann1, bob] = [renderMessage(compiled, reader(501, 'ann@example.com'), settings), renderMessage(compiled, reader(502, 'bob@example.com'), settings)];
    const annLinks = hrefs(ann1.html!);
    expect(annLinks[0]).toBe('https://shop.example/offer?e=ann%40example.com');
    expect(annLinks[3]).toBe('https://shop.example/me/501');
    expect(annLinks[4]).toBe('https://ann.example/');
    expect(claimsOf(annLinks)).toEqual([
      { kind: 'anonymous-click', campaignId: 12, url: 'https://shop.example/sale' },
      { kind: 'anonymous-click', campaignId: 12, url: 'https://shop.example/club' },
      { kind: 'anonymous-click', campaignId: 12, url: HONEYPOT_URL },
    ]);
    // Every token in either mail is the same for both readers: nothing in them tells who clicked.
    const tokens = (html: string) => hrefs(html).filter((u) => u.includes('/t/c/'));
    expect(tokens(bob.html!)).toEqual(tokens(ann1.html!));
    expect(hrefs(bob.html!)[0]).toBe('https://shop.example/offer?e=bob%40example.com');
    expect(ann1.html).not.toMatch(/\/t\/c\/[^"]*(ann|501)/);
    // The plain-text part follows the same rule.
    expect(ann1.text).toContain('https://shop.example/offer?e=ann%40example.com');
    expect(ann1.text.match(/\/t\/c\//g)).toHaveLength(2);
  });

  it('still makes a merge field holding a script or data URL link nowhere, untracked', async () => {
    const compiled = await compile('anonymous');
    for (const site of ['javascript:alert(1)', 'data:text/html,<script>x</script>']) {
      const message = renderMessage(compiled, reader(503, 'eve@example.com', site), settings);
      expect(hrefs(message.html!)[4], site).toBe('#');
    }
  });

  it('a text campaign: the merge-tag URL is written as rendered, the static one tracked', async () => {
    const compiled = await compile('anonymous', { format: 'text', body: `Offer: ${OFFER}\nSale: https://shop.example/sale` });
    const message = renderMessage(compiled, reader(504, 'ann@example.com'), settings);
    expect(message.text).toContain('Offer: https://shop.example/offer?e=ann%40example.com');
    expect(message.text).toMatch(new RegExp(`Sale: ${PUBLIC_URL}/t/c/[\\w.-]+`));
  });

  it('per-message tracking is unchanged: merge-tag links are tracked too, their tokens naming the message', async () => {
    const message = renderMessage(await compile('on'), reader(505, 'ann@example.com'), settings);
    const links = hrefs(message.html!);
    expect(links.slice(0, 5).every((u) => u.startsWith(`${PUBLIC_URL}/t/c/`))).toBe(true);
    expect((claimsOf(links)).slice(0, 5)).toEqual([
      { kind: 'click', messageId: 505, url: 'https://shop.example/offer?e=ann%40example.com' },
      { kind: 'click', messageId: 505, url: 'https://shop.example/sale' },
      { kind: 'click', messageId: 505, url: 'https://shop.example/club' },
      { kind: 'click', messageId: 505, url: 'https://shop.example/me/505' },
      { kind: 'click', messageId: 505, url: 'https://ann.example/' },
    ]);
  });
});

describe('preheader', () => {
  const BLOCK = /<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;">([^<]*)<\/div>/;

  it('is rendered per recipient, escaped, as a hidden block right after <body> of an HTML body', async () => {
    const message = await render(undefined, { preheader: 'For {{ subscriber.name }} & friends' });
    const bodyAt = message.html!.indexOf('<body style="margin:0">') + '<body style="margin:0">'.length;
    expect(message.html!.slice(bodyAt)).toMatch(new RegExp(`^${BLOCK.source}`));
    expect(BLOCK.exec(message.html!)![1]).toBe('For Ann &lt;&amp;&gt; &amp; friends');
    expect(message.text).not.toContain('friends');
  });

  it('opens the body of an MJML campaign, like mj-preview, and is absent when empty', async () => {
    const message = await render(undefined, { format: 'mjml', body: MJML, preheader: 'Sale for {{ subscriber.name | default: "you" }}' });
    expect(message.html!).toMatch(new RegExp(`<body[^>]*>${BLOCK.source}`));
    expect(BLOCK.exec(message.html!)![1]).toBe('Sale for Ann &lt;&amp;&gt;');
    expect(message.text).not.toContain('Sale for');
    expect((await render(undefined, { format: 'mjml', body: MJML })).html).not.toMatch(BLOCK);
    expect((await render(undefined, { preheader: '{{ subscriber.attributes.none }}' })).html).not.toMatch(BLOCK);
  });

  it('goes at the top of an HTML fragment that has no <body>, and never into a text campaign', async () => {
    const fragment = await render(undefined, { body: '<p>Hi</p>', preheader: 'Short' });
    expect(fragment.html).toMatch(new RegExp(`^${BLOCK.source}<p>Hi</p>`));
    const text = await render(undefined, { format: 'text', body: 'Hi {{ subscriber.name }}', preheader: 'Short' });
    expect(text.html).toBeNull();
    expect(text.text).not.toContain('Short');
  });

  it('refuses a broken preheader or one using our own tags, naming the field', async () => {
    for (const preheader of ['Hi {{ subscriber.name ', '{% edgepost_link 0 %}']) {
      const error = await compileCampaign({ ...base, preheader }, mjml2html).catch((err: unknown) => err);
      expect(error, preheader).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).problems).toEqual([expect.objectContaining({ field: 'preheader' })]);
    }
  });
});
