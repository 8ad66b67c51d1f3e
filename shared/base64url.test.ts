import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url, writeBase64Url } from './base64url';

describe('base64url', () => {
  it("encodes every length and byte as Node's own encoder does, and decodes it back", () => {
    for (let length = 0; length <= 67; length++) {
      const bytes = length === 3 ? new Uint8Array([0, 255, 254]) : randomBytes(length);
      const text = encodeBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(decodeBase64Url(text)).toEqual(new Uint8Array(bytes));
    }
  });

  it('encodes inputs longer than its buffer', () => {
    const bytes = randomBytes(5000);
    expect(encodeBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    expect(encodeBase64Url(bytes.subarray(0, 4))).toBe(Buffer.from(bytes.subarray(0, 4)).toString('base64url'));
  });

  it('writes the first bytes of a buffer as ASCII at a given place, and says where it ended', () => {
    const bytes = randomBytes(40);
    for (const length of [0, 1, 2, 3, 31, 32]) {
      const out = new Uint8Array(80).fill(0x21);
      const end = writeBase64Url(bytes, length, out, 5);
      const expected = Buffer.from(bytes.subarray(0, length)).toString('base64url');
      expect(end).toBe(5 + expected.length);
      expect(Buffer.from(out.subarray(5, end)).toString('latin1')).toBe(expected);
      expect([...out.subarray(0, 5), ...out.subarray(end)].every((b) => b === 0x21)).toBe(true);
    }
  });

  it('refuses what is not canonical base64url', () => {
    expect(decodeBase64Url('ab+/')).toBeNull();
    expect(decodeBase64Url('abcde')).toBeNull();
    expect(decodeBase64Url('AB')).toBeNull(); // stray low bits: "AA" is the spelling of one zero byte
    expect(decodeBase64Url('AA')).toEqual(new Uint8Array([0]));
  });
});
