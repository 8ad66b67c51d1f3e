import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { countLiquidWords, createWords, lineAt, protectLiquid, restoreLiquid } from './liquid-placeholders';

const liquid = new Liquid();
const ownTags = { link: (i: number) => `<LINK ${i}>`, pixel: '<PIXEL>', preheader: '<PREHEADER>' };

describe('protectLiquid', () => {
  it('swaps every token for a word of letters and digits, and restores it exactly', () => {
    const source = '<a href="https://x.example/?n={{ subscriber.name | default: "a b" }}">{% if vip %}VIP{% endif %}</a>';
    const words = createWords(source);
    const protectedText = protectLiquid(source, liquid, words);
    expect(protectedText.text).not.toContain('{');
    expect(protectedText.text).toMatch(/^<a href="https:\/\/x\.example\/\?n=ep[0-9a-f]{12}o0z">ep[0-9a-f]{12}t1zVIPep[0-9a-f]{12}t2z<\/a>$/);
    expect(protectedText.tokens.map((t) => [t.kind, t.source])).toEqual([
      ['output', '{{ subscriber.name | default: "a b" }}'],
      ['tag', '{% if vip %}'],
      ['tag', '{% endif %}'],
    ]);
    expect(restoreLiquid(protectedText.text, protectedText, ownTags)).toBe(source);
  });

  it('keeps a raw block whole, so its contents never reach the tools', () => {
    const source = 'a {% raw %}{{ not liquid }}{% endraw %} b';
    const protectedText = protectLiquid(source, liquid, createWords(source));
    expect(protectedText.tokens).toEqual([{ source: '{% raw %}{{ not liquid }}{% endraw %}', kind: 'output', line: 1 }]);
    expect(restoreLiquid(protectedText.text, protectedText, ownTags)).toBe(source);
  });

  it('maps lines of the protected text back to the original across multi-line tokens', () => {
    const source = 'one\n{% if a\n  and b %}\nfour\n{{ x\n}}\nseven';
    const protectedText = protectLiquid(source, liquid, createWords(source));
    const lines = protectedText.text.split('\n');
    expect(protectedText.tokens.map((t) => t.line)).toEqual([2, 5]);
    // "four" is line 3 of the protected text and line 4 of the original; "seven" 5 and 7.
    expect(lines[2]).toBe('four');
    expect(protectedText.originalLine(3)).toBe(4);
    expect(lines[4]).toBe('seven');
    expect(protectedText.originalLine(5)).toBe(7);
    expect(protectedText.originalLine(1)).toBe(1);
  });

  it('throws Liquid tokenizer errors for an unclosed output', () => {
    expect(() => protectLiquid('a\n{{ x', liquid, createWords(''))).toThrow(/not closed/);
  });
});

describe('restoreLiquid', () => {
  it('turns braces the tools made into text and link and pixel words into our tags', () => {
    const source = '{{ a }}';
    const protectedText = protectLiquid(source, liquid, createWords(source));
    const { words } = protectedText;
    const out = restoreLiquid(`css{{x}} {%y ${words.link(3)} ${words.pixel} ${protectedText.text}`, protectedText, ownTags);
    expect(out).toBe('css{% raw %}{{% endraw %}{x}} {% raw %}{{% endraw %}%y <LINK 3> <PIXEL> {{ a }}');
    // The braces render as text, the restored token as Liquid.
    expect(liquid.parseAndRenderSync(out, { a: 'A' })).toBe('css{{x}} {%y <LINK 3> <PIXEL> A');
  });
});

describe('countLiquidWords', () => {
  it('counts each token word, ignoring link and pixel words', () => {
    const source = '{{ a }}{% if b %}{% endif %}';
    const p = protectLiquid(source, liquid, createWords(source));
    const text = `${p.words.liquid(0, 'output')} ${p.words.liquid(0, 'output')} ${p.words.liquid(1, 'tag')} ${p.words.link(0)}`;
    expect([...countLiquidWords(text, p.words)]).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });
});

describe('lineAt', () => {
  it('gives 1-based lines', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1);
    expect(lineAt('a\nb\nc', 4)).toBe(3);
  });
});
