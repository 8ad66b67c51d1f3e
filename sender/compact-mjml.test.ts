import mjml2html from 'mjml';
import { describe, expect, it } from 'vitest';
import { deriveKeys } from '../shared/keys';
import { compileCampaign, type CampaignSource } from '../shared/render/compile-campaign';
import type { Mjml2Html } from '../shared/render/mjml';
import { renderMessage } from '../shared/render/render-message';
import { compactMjml2Html } from './compact-mjml';

const PRE = '<pre>  two  spaces\n    and an indented line\n</pre>';
const body = `<mjml>
  <mj-head><mj-style>.note { color: #555; }</mj-style></mj-head>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-image src="https://cdn.shop.example/hero.png" alt="Spring   flowers" />
        <mj-text>Hello {{ subscriber.name }},
          <b>our   spring</b> <i>collection</i>
          is here.</mj-text>
        <mj-button href="https://shop.example/spring?who={{ subscriber.id }}">Shop   now</mj-button>
      </mj-column>
      <mj-column><mj-raw>${PRE}</mj-raw></mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/** What a reader sees: the text between tags, whitespace collapsed as a browser does. */
const visibleText = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
const htmlOf = async (compile: Mjml2Html, mjml: string) => (await compile(mjml, { validationLevel: 'strict', keepComments: true })).html;

describe('compactMjml2Html', () => {
  it('drops the indentation and blank lines MJML writes, and nothing a reader sees', async () => {
    const plain = await htmlOf(mjml2html, body);
    const compact = await htmlOf(compactMjml2Html, body);
    expect(compact.length).toBeLessThan(plain.length * 0.85);
    expect(visibleText(compact)).toBe(visibleText(plain));
    expect(compact).toContain(PRE);
    // Outlook's conditional comments and the stylesheet stay as MJML wrote them.
    expect(compact.match(/<!--\[if mso/g)?.length).toBe(plain.match(/<!--\[if mso/g)?.length);
    expect(compact).toContain('.note { color: #555; }');
    // Attribute values are untouched, whitespace and all.
    expect(compact).toContain('alt="Spring   flowers"');
    // The body is one line but for its <pre>, where every space is kept.
    expect(compact.slice(compact.indexOf('<body')).replace(PRE, '')).not.toContain('\n');
  });

  it('compiles a body whose CSS asks for preformatted whitespace exactly as MJML does', async () => {
    const preformatted = body.replace('color: #555;', 'color: #555; white-space: pre-wrap;');
    expect(await htmlOf(compactMjml2Html, preformatted)).toBe(await htmlOf(mjml2html, preformatted));
  });

  it('leaves alone what the marketer wraps in htmlmin:ignore comments', async () => {
    const kept = '<div>  spaced   out\n    text  </div>';
    const guarded = body.replace(PRE, `<!-- htmlmin:ignore -->${kept}<!-- htmlmin:ignore -->`);
    expect(await htmlOf(compactMjml2Html, guarded)).toContain(kept);
    expect(await htmlOf(compactMjml2Html, guarded.replaceAll('<!-- htmlmin:ignore -->', ''))).not.toContain(kept);
  });

  it('keeps Liquid and tracked links working through a campaign compiled with it', async () => {
    const source: CampaignSource = { id: 3, name: 'Spring', subject: 'Hi', fromAddress: 'Shop <news@shop.example>', format: 'mjml', body };
    const keys = await deriveKeys('compact-mjml-test-secret-0123456789-abcdef');
    const [plain, compact] = await Promise.all([compileCampaign(source, mjml2html), compileCampaign(source, compactMjml2Html)]);
    expect(compact.trackedLinks).toBe(plain.trackedLinks);
    const recipient = { messageId: 9, subscriber: { id: 41, email: 'zoe@example.com', name: 'Zoë', attributes: {} } };
    const settings = { publicUrl: 'https://t.shop.example', keys };
    const [a, b] = [renderMessage(plain, recipient, settings), renderMessage(compact, recipient, settings)];
    expect(b.html).toContain('Hello Zoë,');
    expect(visibleText(b.html!)).toBe(visibleText(a.html!));
    expect(b.text).toBe(a.text);
  });
});
