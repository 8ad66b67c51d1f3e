import mjml2html from 'mjml';
import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { compileMjml } from './compile-mjml';
import { createWords, protectLiquid } from './liquid-placeholders';

const liquid = new Liquid();
const compile = (mjml: string) => compileMjml(protectLiquid(mjml, liquid, createWords(mjml)), mjml2html);
const page = (body: string) => `<mjml>\n<mj-body>\n${body}\n</mj-body>\n</mjml>`;

describe('compileMjml', () => {
  it('compiles to HTML in which every Liquid token survives as its word', async () => {
    const result = await compile(
      page(`<mj-raw>{% if vip %}</mj-raw>
<mj-section background-color="{{ color | default: "#fff" }}"><mj-column>
<mj-text>Hi {{ name }}</mj-text><mj-button href="https://shop.example/?u={{ id }}">Buy</mj-button>
</mj-column></mj-section>
<mj-raw>{% endif %}</mj-raw>`),
    );
    expect(result.problems).toEqual([]);
    expect(result.html).toMatch(/<!doctype html>/i);
    expect(result.html).toMatch(/href="https:\/\/shop\.example\/\?u=ep[0-9a-f]{12}o\d+z"/);
    expect(result.html).toMatch(/background(-color)?[:=]"?ep[0-9a-f]{12}o\d+z/);
  });

  it("reports MJML's validation errors on the marketer's lines, past multi-line Liquid", async () => {
    const result = await compile(
      page(`<mj-section><mj-column>
<mj-text>{% if a
  and b %}x{% endif %}</mj-text>
<mj-text colr="red" padding="wide">y</mj-text>
</mj-column></mj-section>`),
    );
    expect(result.html).toBeNull();
    // Line 6 as written; MJML saw it on line 5, the multi-line tag being one word there.
    expect(result.problems).toEqual([
      { field: 'body', line: 6, message: 'MJML: <mj-text> Attribute colr is illegal' },
      { field: 'body', line: 6, message: expect.stringMatching(/^MJML: <mj-text> Attribute padding has invalid value: wide/) },
    ]);
  });

  it('refuses unknown elements and unclosed ones', async () => {
    const result = await compile(page('<mj-sectoin><mj-column><mj-text>x</mj-column></mj-sectoin>'));
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { field: 'body', line: 3, message: expect.stringContaining('<mj-text> is never closed') },
        { field: 'body', line: 3, message: expect.stringContaining("Element mj-sectoin doesn't exist") },
      ]),
    );
  });

  it('refuses Liquid that MJML would drop, naming its line and the fix', async () => {
    const result = await compile(page('{% if vip %}\n<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>\n{% endif %}'));
    expect(result.problems).toEqual([
      { field: 'body', line: 3, message: expect.stringContaining('MJML drops the Liquid {% if vip %} here: Liquid between MJML elements must sit inside <mj-raw>') },
      { field: 'body', line: 5, message: expect.stringContaining('{% endif %}') },
    ]);
  });

  it('never reads files through <mj-include>', async () => {
    const result = await compile(page('<mj-include path="/etc/passwd" type="html" />\n<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>'));
    expect(result.html ?? '').not.toContain('root:');
  });

  it('explains a body MJML cannot read at all', async () => {
    const result = await compile('   ');
    expect(result.problems).toEqual([{ field: 'body', message: expect.stringMatching(/^MJML could not read the body/) }]);
  });
});
