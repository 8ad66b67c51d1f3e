import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from './base64url';

describe('base64url', () => {
  it("encodes every length and byte as Node's own encoder does, and decodes it back", () => {
    for (let length = 0; length <= 67; length++) {
      const bytes = length === 3 ? new Uint8Array([0, 255, 254]) : randomBytes(length);
      const text = encodeBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(decodeBase64Url(text)).toEqual(new Uint8Array(bytes));
    }
  });

  it('refuses what is not canonical base64url', () => {
    expect(decodeBase64Url('ab+/')).toBeNull();
    expect(decodeBase64Url('abcde')).toBeNull();
    expect(decodeBase64Url('AB')).toBeNull(); // stray low bits: "AA" is the spelling of one zero byte
    expect(decodeBase64Url('AA')).toEqual(new Uint8Array([0]));
  });
});
