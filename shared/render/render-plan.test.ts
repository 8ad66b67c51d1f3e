import { LiquidError } from 'liquidjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys, type Keys } from '../keys';
import { createLinkTracker } from './link-tracker';
import { RENDER_STATE, createLiquidEngines, openPixelHtml, type LinkSource } from './liquid-engines';
import { finishPart, renderPlan, type PlanRun } from './render-plan';
import { planTemplate } from './template-plan';

const PUBLIC_URL = 'https://t.example';
let keys: Keys;
beforeAll(async () => {
  keys = await deriveKeys('render-plan-test-secret-0123456789abcdef');
});

function setup() {
  const links: LinkSource[] = ['https://a.example/x?y=1&z=2'];
  const engines = createLiquidEngines(links);
  links.push(engines.text.parse('https://b.example/{{ s.name | url_encode }}'));
  return engines;
}

function scopeFor(s: Record<string, unknown>, links: ReturnType<typeof createLinkTracker>) {
  return { s, [RENDER_STATE]: { link: links.mark, openPixelUrl: `${PUBLIC_URL}/t/o/T` } };
}

/** The part rendered as a plan, and as the engine renders it (markers swapped after), both signed. */
async function bothWays(source: string, s: () => Record<string, unknown>, tidy = false) {
  const { html } = setup();
  const templates = html.parse(source);
  const engineLinks = createLinkTracker(PUBLIC_URL);
  const engine = await settle(() => String(html.renderSync(templates, scopeFor(s(), engineLinks))), engineLinks);
  const planLinks = createLinkTracker(PUBLIC_URL);
  const run: PlanRun = { scope: scopeFor(s(), planLinks), links: planLinks, pixel: openPixelHtml(`${PUBLIC_URL}/t/o/T`), preheader: '', outputs: new Map() };
  const planned = await settle(() => renderPlan(planTemplate(templates, html, 'h', tidy), run), planLinks, (part, signed) => finishPart(part, signed).text);
  return { engine, planned };
}

async function settle<T>(render: () => T, links: ReturnType<typeof createLinkTracker>, finish?: (rendered: T, signed: Awaited<ReturnType<typeof links.sign>>) => string) {
  let rendered: T;
  try {
    rendered = render();
  } catch (err) {
    return `error: ${LiquidError.is(err) ? 'LiquidError ' : ''}${(err as { originalError?: Error }).originalError?.message ?? (err as Error).message}`;
  }
  const signed = await links.sign(keys, { messageId: 7 });
  return finish ? finish(rendered, signed) : signed(rendered as string);
}

describe('renderPlan', () => {
  it('renders what the engine renders, tags and all', async () => {
    const sources = [
      '<p>{{ s.name }} & {{ s.name | upcase }} {{ s.name }}</p><a href="{% edgepost_link 0 %}">a</a><a href="{% edgepost_link 1 %}">b</a>{% edgepost_open_pixel %}',
      '{% if s.vip %}<a href="{% edgepost_link 1 %}">vip</a>{% endif %}{{ s.name }}{% for i in s.list %}<a href="{% edgepost_link 0 %}">{{ i }}</a>{% endfor %}',
      '{{ s.name }}{% assign s = "replaced" %}{{ s.name }}{{ s }}',
      '{{ s.name }}{% increment s %}{{ s.name }}{{ s }}',
      '{{ s.name }}{% if true %}{% break %}{% endif %}not rendered {{ s.name }}',
      '{{ s.name | raw }}{% raw %}{{ literal }}{% endraw %}{% comment %}gone{% endcomment %}{{- s.name -}} x',
    ];
    for (const source of sources) {
      for (const s of [{ name: 'Ann <&>', vip: true, list: [1, 2] }, { name: '', list: [] }]) {
        const { engine, planned } = await bothWays(source, () => structuredClone(s));
        expect(planned, source).toBe(engine);
      }
    }
  });

  it('evaluates a repeated output once per render, and an impure one every time', async () => {
    let nameReads = 0;
    let listReads = 0;
    const s = Object.defineProperties({}, {
      name: { enumerable: true, get: () => (nameReads++, 'Ann') },
      list: { enumerable: true, get: () => (listReads++, ['x']) },
    });
    const { html } = setup();
    const links = createLinkTracker(PUBLIC_URL);
    const run: PlanRun = { scope: { s }, links, pixel: '', preheader: '', outputs: new Map() };
    const part = renderPlan(planTemplate(html.parse('{{ s.name }}{{ s.name }}<a href="{% edgepost_link 1 %}">{{ s.name }}</a>{{ s.list | sample }}{{ s.list | sample }}'), html, 'h'), run);
    expect(finishPart(part, await links.sign(keys, { messageId: 7 })).text).toMatch(/^AnnAnn<a href="https:\/\/t\.example\/t\/c\/[\w.-]+">Ann<\/a>xx$/);
    expect(nameReads).toBe(2); // once for the HTML engine's output, once for the link's text template
    expect(listReads).toBe(2);
  });

  it('charges a repeated output to the memory budget each time, failing where the engine fails', async () => {
    const source = '<p>{{ s.big | append: s.big }}</p>'.repeat(60);
    const big = { big: 'x'.repeat(10_000) };
    const { engine, planned } = await bothWays(source, () => big);
    expect(engine).toBe('error: LiquidError memory alloc limit exceeded');
    expect(planned).toBe(engine);
    const fits = await bothWays(source.slice(0, source.length / 2), () => big);
    expect(fits.planned).toBe(fits.engine);
    expect(fits.planned).toHaveLength(30 * 20_007);
  });

  it('never reads a link out of the text: subscriber data that looks like a marker stays text', async () => {
    const run: PlanRun = { scope: { s: { name: 'ep0123456789abm0z' } }, links: createLinkTracker(PUBLIC_URL), pixel: '', preheader: '', outputs: new Map() };
    const { html } = setup();
    const part = renderPlan(planTemplate(html.parse('{{ s.name }} <a href="{% edgepost_link 0 %}">a</a>'), html, 'h'), run);
    expect(part.slots).toEqual([2, 0]);
    const { text } = finishPart(part, await run.links.sign(keys, { messageId: 7 }));
    expect(text).toMatch(/^ep0123456789abm0z <a href="https:\/\/t\.example\/t\/c\/[\w.-]+">a<\/a>$/);
  });

  it('tidies a text part as the whole text would be tidied', async () => {
    const source = '\n\nHi {{ s.name }}\n\n\n\n{% if s.vip %}\n\n\nVIP\n\n\n{% endif %}\n\n\nBye\n\n';
    for (const s of [{ name: 'A\n\n\nB', vip: true }, { name: '', vip: false }]) {
      const { engine, planned } = await bothWays(source, () => s, true);
      expect(planned).toBe(engine.replace(/\n(?:[ \t]*\n){2,}/g, '\n\n').trim());
    }
  });

  it('gives the text in pieces whose static ones are the plan\'s own text, whatever the render merged', async () => {
    const { html } = setup();
    const plan = planTemplate(html.parse('<p>Hi {{ s.name }}</p>{% if s.vip %}<b>VIP</b>{% endif %}<a href="{% edgepost_link 0 %}">a</a>{{ s.name }}<i>end</i>'), html, 'h');
    const statics = plan.steps.flatMap((step) => (step.kind === 'text' ? [step.text] : []));
    for (const s of [{ name: 'Ann', vip: true }, { name: '', vip: false }]) {
      const links = createLinkTracker(PUBLIC_URL);
      const part = renderPlan(plan, { scope: { s }, links, pixel: '', preheader: '', outputs: new Map() });
      const { text, pieces } = finishPart(part, await links.sign(keys, { messageId: 7 }));
      expect(pieces.join('')).toBe(text);
      expect(pieces.filter((_, i) => i % 2 === 1)).toEqual(statics);
      expect(text).toContain(s.vip ? '<b>VIP</b>' : '<a href="https://t.example/t/c/');
    }
  });
});
