import { describe, expect, it } from 'vitest';
import { findTextUrls } from './text-links';

const urls = (text: string, stopAt?: RegExp) => findTextUrls(text, stopAt).map((u) => text.slice(u.start, u.end));

describe('findTextUrls', () => {
  it('finds http and https URLs and leaves sentence punctuation out', () => {
    expect(urls('See https://shop.example/a?b=1. Or http://x.example/y, then (https://z.example/p) and "https://q.example/".')).toEqual([
      'https://shop.example/a?b=1',
      'http://x.example/y',
      'https://z.example/p',
      'https://q.example/',
    ]);
  });

  it('keeps brackets the URL itself opened, and stops at < > and spaces', () => {
    expect(urls('https://en.example/wiki/Foo_(bar) <https://angle.example/x> mailto:a@b.example')).toEqual([
      'https://en.example/wiki/Foo_(bar)',
      'https://angle.example/x',
    ]);
  });

  it('ends a URL where stopAt matches, and drops what is left of nothing', () => {
    expect(urls('https://x.example/a#TAG#more https://#TAG#', /#TAG#/)).toEqual(['https://x.example/a']);
  });
});
