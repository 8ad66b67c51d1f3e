import { describe, expect, it } from 'vitest';
import { createLiquidEngines, type LinkSource } from './liquid-engines';
import { planTemplate, type PlanStep } from './template-plan';

function setup() {
  const links: LinkSource[] = ['https://a.example/'];
  const engines = createLiquidEngines(links);
  links.push(engines.text.parse('https://b.example/{{ s.id }}?d={{ "now" | date: "%s" }}'));
  links.push(engines.text.parse('https://c.example/{% if s.vip %}vip{% endif %}'));
  return engines;
}

const kinds = (steps: PlanStep[]) => steps.map((step) => step.kind);

describe('planTemplate', () => {
  it('joins static text and keeps outputs, links and the pixel as steps', () => {
    const { html } = setup();
    const plan = planTemplate(html.parse('<p>Hi {{ s.name }}</p>{% raw %}{{ x }}{% endraw %}{% comment %}c{% endcomment %} <a href="{% edgepost_link 0 %}">a</a>{% edgepost_open_pixel %}'), html, 'h');
    expect(kinds(plan.steps)).toEqual(['text', 'output', 'text', 'link', 'text', 'pixel']);
    expect(plan.steps[2]).toEqual({ kind: 'text', text: '</p>{{ x }} <a href="' });
  });

  it('names an output by engine and expression, unless a filter is not pure', () => {
    const { html, text } = setup();
    const keyOf = (source: string, engine = html, engineKey = 'h') => (planTemplate(engine.parse(source), engine, engineKey).steps[0] as { key: string | null }).key;
    expect(keyOf('{{ s.name | default: "you" }}')).toBe('hs.name | default: "you"');
    expect(keyOf('{{s.name | default: "you"}}', text, 't')).toBe('ts.name | default: "you"');
    expect(keyOf('{{ s.name | raw }}')).toBe('hs.name | raw');
    expect(keyOf('{{ "now" | date: "%s" }}')).toBeNull();
    expect(keyOf('{{ s.list | sample }}')).toBeNull();
    // The HTML engine's own escape filter is no reason to drop the key, but a user's date filter before it is.
    expect(keyOf('{{ s.when | date: "%Y" }}')).toBeNull();
  });

  it('plans a link template with the text engine, and leaves a link with tags of its own to the tag', () => {
    const { html, text } = setup();
    const [, templated, tagged] = planTemplate(html.parse('{% edgepost_link 0 %}{% edgepost_link 1 %}{% edgepost_link 2 %}'), html, 'h').steps;
    expect(templated?.kind === 'link' && typeof templated.href !== 'string' && templated.href.engine).toBe(text);
    const hrefSteps = (templated as { href: { steps: PlanStep[] } }).href.steps;
    expect(hrefSteps.filter((step) => step.kind === 'output').map((step) => (step as { key: string | null }).key)).toEqual(['ts.id', null]);
    expect(tagged).toMatchObject({ kind: 'tag', keepsScope: true });
  });

  it('knows which tags leave the scope as it was', () => {
    const { html } = setup();
    const tags = (source: string) => planTemplate(html.parse(source), html, 'h').steps.filter((step) => step.kind === 'tag').map((step) => (step as { keepsScope: boolean }).keepsScope);
    expect(tags('{% if a %}{{ b }}{% elsif c %}x{% else %}{% for i in d %}{% cycle "1", "2" %}{% endfor %}{% endif %}{% unless a %}{% case b %}{% when 1 %}{% echo c %}{% endcase %}{% endunless %}')).toEqual([true, true]);
    expect(tags('{% assign a = 1 %}{% capture b %}x{% endcapture %}{% increment c %}{% decrement d %}')).toEqual([false, false, false, false]);
    expect(tags('{% if a %}{% for i in b %}{% assign c = i %}{% endfor %}{% endif %}{% liquid\nassign e = 1\n%}')).toEqual([false, false]);
  });

  it('splits static text for tidying when asked', () => {
    const { text } = setup();
    const plan = planTemplate(text.parse('\n\nA\n\n\n\nB\n{{ s.name }}\n\n\nC'), text, 't', true);
    expect(plan.steps).toMatchObject([{ text: '\n\n' }, { text: 'A\n\nB' }, { text: '\n' }, { kind: 'output' }, { text: '\n\n\n' }, { text: 'C' }]);
    expect(plan.inside).toEqual([false, true, false, false, false, true]);
  });
});
