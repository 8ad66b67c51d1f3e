import { describe, expect, it } from 'vitest';
import { sqlJson } from './sql-json';

describe('sqlJson', () => {
  it('replaces lone surrogates and keeps everything else', () => {
    const value = { a: 'x\ud800y', b: '\udc00', pair: '😀', slash: '\\ud800 literal', [`k\ud801`]: 1 };
    const text = sqlJson(value);
    expect(JSON.parse(text)).toEqual({ a: 'x\ufffdy', b: '\ufffd', pair: '😀', slash: '\\ud800 literal', 'k\ufffd': 1 });
    expect(JSON.parse(text).a).not.toMatch(/[\ud800-\udfff]/);
  });
});
