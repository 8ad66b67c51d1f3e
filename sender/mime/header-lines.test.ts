import { describe, expect, it } from 'vitest';
import { foldHeader, givenHeader, unstructuredHeader } from './header-lines';

const lines = (field: string) => field.split('\r\n');
const unfold = (field: string) => field.replace(/\r\n(?=[ \t])/g, '');

describe('foldHeader', () => {
  it('leaves a short field on one line', () => {
    expect(foldHeader('Subject: Hello there')).toEqual({ text: 'Subject: Hello there', longest: 20 });
  });

  it('folds before whitespace so every line fits 78 and unfolding restores the text', () => {
    const field = `Subject: ${'word '.repeat(40).trim()}`;
    const folded = foldHeader(field);
    expect(lines(folded.text).length).toBeGreaterThan(2);
    for (const line of lines(folded.text)) expect(line.length).toBeLessThanOrEqual(78);
    for (const line of lines(folded.text).slice(1)) expect(line).toMatch(/^ \S/);
    expect(unfold(folded.text)).toBe(field);
  });

  it('keeps a run without whitespace whole and reports its length', () => {
    const long = 'x'.repeat(120);
    const folded = foldHeader(`X-Long: a ${long} b`);
    expect(lines(folded.text)).toEqual(['X-Long: a', ` ${long}`, ' b']);
    expect(folded.longest).toBe(121);
  });

  it('never folds inside a quoted-string when asked to keep quotes', () => {
    const field = `To: "${'name '.repeat(20).trim()}" <a@example.com>`;
    expect(lines(foldHeader(field, true).text)[0]).toContain('"name name');
    expect(foldHeader(field, true).text.startsWith(`To: "${'name '.repeat(20).trim()}"`)).toBe(true);
  });
});

describe('unstructuredHeader', () => {
  it('keeps plain ASCII as written, and an empty value without trailing whitespace', () => {
    expect(unstructuredHeader('Subject', 'Spring sale: 30% off "today"')).toBe('Subject: Spring sale: 30% off "today"');
    expect(unstructuredHeader('Subject', '')).toBe('Subject:');
  });

  it('encodes non-ASCII, "=?" and unbreakable runs, within 78 characters a line', () => {
    for (const value of ['Grüße aus Köln', 'price =?utf-8?q?x?= today', `see ${'x'.repeat(90)}`, `${'日本語'.repeat(30)} 😀`]) {
      const field = unstructuredHeader('Subject', value);
      expect(field).toMatch(/^Subject: =\?UTF-8\?[QB]\?/);
      for (const line of lines(field)) expect(line.length).toBeLessThanOrEqual(78);
    }
  });
});

describe('givenHeader', () => {
  it('folds a long List-Unsubscribe at its comma and leaves the URLs whole', () => {
    const value = `<https://t.example/u/${'a'.repeat(80)}>, <mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20tok>`;
    const field = givenHeader('List-Unsubscribe', value);
    expect(lines(field)).toEqual([`List-Unsubscribe: <https://t.example/u/${'a'.repeat(80)}>,`, ' <mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20tok>']);
  });

  it('does not encode "=?" in a structured value, and refuses a line past 998 characters', () => {
    expect(givenHeader('List-Unsubscribe', '<https://x.example/?a=?b>')).toBe('List-Unsubscribe: <https://x.example/?a=?b>');
    expect(() => givenHeader('X-Token', 'x'.repeat(1000))).toThrow(/X-Token.*998/);
  });

  it('encodes non-ASCII text as an unstructured value', () => {
    expect(givenHeader('X-Campaign', 'Été en France')).toBe('X-Campaign: =?UTF-8?Q?=C3=89t=C3=A9_en_France?=');
  });
});
