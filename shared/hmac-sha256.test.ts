import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from './hmac-sha256';

const reference = (key: Uint8Array, text: string) => new Uint8Array(createHmac('sha256', key).update(text, 'utf8').digest());

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    const mac = hmacSha256(new TextEncoder().encode('Jefe'))('what do ya want for nothing?');
    expect(Buffer.from(mac).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('matches node:crypto for every text length across the block and padding boundaries', () => {
    const otherKey = randomBytes(32);
    const other = hmacSha256(otherKey);
    const key = new Uint8Array(32);
    const fixed = hmacSha256(key);
    for (let length = 0; length <= 300; length++) {
      const text = 'x'.repeat(length);
      expect(fixed(text), `length ${length}`).toEqual(reference(key, text));
    }
    // Signers keep their own key: another one made before them still signs with its own.
    expect(other('a')).toEqual(reference(otherKey, 'a'));
  });

  it('matches node:crypto for keys shorter than, equal to and longer than a block, and for empty ones', () => {
    for (const length of [0, 1, 31, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(length);
      const sign = hmacSha256(key);
      for (const text of ['', 'k1.YzoxMjM0NTpodHRwczovL3Nob3AuZXhhbXBsZS5jb20', 'é'.repeat(70)]) {
        expect(sign(text), `key ${length}, text ${text.length}`).toEqual(reference(key, text));
      }
    }
  });

  it('hashes text as UTF-8, astral characters and lone surrogates as the platform encodes them', () => {
    const key = randomBytes(32);
    const sign = hmacSha256(key);
    for (const text of ['€uro', '𝄞 clef', 'Ünïcødé '.repeat(40), 'lone \ud800 surrogate', '\u0000nul']) {
      expect(sign(text), JSON.stringify(text)).toEqual(reference(key, text));
    }
  });

  it('signs texts longer than its buffer, then short ones again', () => {
    const key = randomBytes(32);
    const sign = hmacSha256(key);
    const long = 'z'.repeat(5000);
    expect(sign(long)).toEqual(reference(key, long));
    expect(sign('short')).toEqual(reference(key, 'short'));
  });

  it('agrees with node:crypto on random texts and keys', () => {
    for (let i = 0; i < 500; i++) {
      const key = randomBytes(1 + (i % 80));
      const text = randomBytes(i % 257).toString('latin1');
      expect(hmacSha256(key)(text)).toEqual(reference(key, text));
    }
  });
});
