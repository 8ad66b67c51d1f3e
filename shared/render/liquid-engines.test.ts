import { describe, expect, it } from 'vitest';
import { RENDER_STATE, createLiquidEngines, escapeHtml, liquidProblem, type LinkSource } from './liquid-engines';

const state = { link: (url: string) => `[${url}]`, openPixelUrl: 'https://t.example/t/o/T&1' };

describe('createLiquidEngines', () => {
  it('escapes output in the html engine only', () => {
    const { html, text } = createLiquidEngines([]);
    const scope = { name: '<b>"Ann" & co</b>' };
    expect(html.parseAndRenderSync('{{ name }}', scope)).toBe('&lt;b&gt;&#34;Ann&#34; &amp; co&lt;/b&gt;');
    expect(text.parseAndRenderSync('{{ name }}', scope)).toBe('<b>"Ann" & co</b>');
  });

  it('refuses unknown filters and partials when parsing, and never reaches into prototypes', () => {
    const { html } = createLiquidEngines([]);
    expect(() => html.parse('{{ name | upcsae }}')).toThrow(/undefined filter: upcsae/);
    expect(() => html.parse('{% include "/etc/passwd" %}')).toThrow(/not supported/);
    expect(() => html.parse('{% render "x" %}')).toThrow(/not supported/);
    expect(html.parseAndRenderSync('[{{ s.constructor }}{{ s.__proto__ }}{{ s.toString }}]', { s: { a: 1 } })).toBe('[]');
  });

  it('renders link tags through the render state, escaped for HTML only', () => {
    const links: LinkSource[] = ['https://shop.example/?a=1&b=2'];
    const { html, text } = createLiquidEngines(links);
    links.push(text.parse('https://shop.example/p/{{ p }}'));
    const scope = { items: ['x', 'y'], [RENDER_STATE]: state };
    expect(html.parseAndRenderSync('<a href="{% edgepost_link 0 %}">', scope)).toBe('<a href="[https://shop.example/?a=1&amp;b=2]">');
    expect(text.parseAndRenderSync('{% edgepost_link 0 %}', scope)).toBe('[https://shop.example/?a=1&b=2]');
    expect(text.parseAndRenderSync('{% for p in items %}{% edgepost_link 1 %} {% endfor %}', scope)).toBe('[https://shop.example/p/x] [https://shop.example/p/y] ');
    expect(() => html.parse('{% edgepost_link 9 %}')).toThrow(/Edgepost's own tag/);
  });

  it('writes the open pixel', () => {
    const { html } = createLiquidEngines([]);
    expect(html.parseAndRenderSync('{% edgepost_open_pixel %}', { [RENDER_STATE]: state })).toBe(
      '<img src="https://t.example/t/o/T&amp;1" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;" />',
    );
  });

  it('writes the hidden honeypot link after the pixel when the render has one', () => {
    const { html } = createLiquidEngines([]);
    expect(html.parseAndRenderSync('{% edgepost_open_pixel %}', { [RENDER_STATE]: { ...state, honeypotUrl: 'https://t.example/t/c/H&1' } })).toMatch(
      /<img [^>]*\/><a href="https:\/\/t\.example\/t\/c\/H&amp;1" style="display:none;" aria-hidden="true" tabindex="-1"><\/a>$/,
    );
  });
});

describe('liquidProblem', () => {
  it('gives the line and column of a Liquid error', () => {
    const { text } = createLiquidEngines([]);
    let error: unknown;
    try {
      text.parse('one\ntwo {% if x %}');
    } catch (err) {
      error = err;
    }
    expect(liquidProblem(error, 'body')).toEqual({ field: 'body', line: 2, message: 'Liquid: tag {% if x %} not closed (column 5)' });
    expect(liquidProblem(error, 'body', false)).toEqual({ field: 'body', message: 'Liquid: tag {% if x %} not closed' });
    expect(() => liquidProblem(new Error('other'), 'body')).toThrow('other');
  });
});

describe('escapeHtml', () => {
  it('escapes what Liquid escapes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
