import { describe, expect, it } from 'vitest';
import { encodeWords, needsEncodedWords } from './encoded-words';

/** Decodes one encoded-word on its own, refusing a word that splits a character. */
function decodeWord(word: string): string {
  const match = /^=\?UTF-8\?([QB])\?([^?\s]*)\?=$/.exec(word);
  expect(match, word).not.toBeNull();
  const [, kind, payload] = match!;
  const bytes =
    kind === 'B'
      ? Buffer.from(payload!, 'base64')
      : Buffer.from(payload!.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  if (kind === 'Q') expect(payload).toMatch(/^(?:[A-Za-z0-9!*+\-/_]|=[0-9A-F]{2})*$/);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

describe('encodeWords', () => {
  it('uses Q for mostly Latin text and B for mostly other scripts', () => {
    expect(encodeWords('Zoë Müller')).toEqual(['=?UTF-8?Q?Zo=C3=AB_M=C3=BCller?=']);
    expect(encodeWords('山田 太郎')).toEqual([`=?UTF-8?B?${Buffer.from('山田 太郎').toString('base64')}?=`]);
  });

  it('escapes what a phrase may not hold bare in Q: quotes, commas, "=", "?", "_"', () => {
    const [word] = encodeWords('a "b", c=d? e_f é');
    expect(word).toBe('=?UTF-8?Q?a_=22b=22=2C_c=3Dd=3F_e=5Ff_=C3=A9?=');
  });

  it('splits long text into words of at most 75 characters, each holding whole characters', () => {
    for (const text of ['é'.repeat(100), '日本語のテキスト'.repeat(12), '😀a'.repeat(60), `Grüße ${'x'.repeat(150)}`]) {
      const words = encodeWords(text, 40);
      expect(words.length).toBeGreaterThan(1);
      expect(words[0]!.length).toBeLessThanOrEqual(40);
      for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
      expect(words.map(decodeWord).join('')).toBe(text);
    }
  });

  it('gives a first word room for at least one character whatever the line has left', () => {
    const words = encodeWords('😀😀', 3);
    expect(words.map(decodeWord).join('')).toBe('😀😀');
  });

  it('turns a lone surrogate into U+FFFD, as UTF-8 must', () => {
    expect(encodeWords('a\ud800b').map(decodeWord).join('')).toBe('a\ufffdb');
    expect(encodeWords('\ud800\ud800').map(decodeWord).join('')).toBe('\ufffd\ufffd');
  });
});

describe('needsEncodedWords', () => {
  it('is true for non-ASCII, control characters and "=?", false for plain text', () => {
    expect(needsEncodedWords('Spring sale: 30% off, "today"!')).toBe(false);
    expect(needsEncodedWords('café')).toBe(true);
    expect(needsEncodedWords('a\tb')).toBe(true);
    expect(needsEncodedWords('say =?utf-8?q?hi?=')).toBe(true);
  });
});
