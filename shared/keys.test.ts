import { describe, expect, it } from 'vitest';
import { decodeBase64Url } from './base64url';
import { deriveKeys } from './keys';
import { signToken, signTokens, verifyToken, type TokenClaims } from './tokens';
import { parseVerpAddress, verpAddress } from './verp';

const SECRET = 'keys-test-secret-0123456789abcdef-0123456789';

/** The tracking key's HMAC as WebCrypto computes it from SECRET, independently of deriveKeys. */
async function webCryptoMac(info: string, text: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const master = await crypto.subtle.importKey('raw', encoder.encode(SECRET), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) }, master, 256);
  const key = await crypto.subtle.importKey('raw', bits, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

describe('deriveKeys', () => {
  it('signs tokens with the MAC WebCrypto computes from the HKDF-derived tracking key', async () => {
    const keys = await deriveKeys(SECRET);
    // Every length of payload modulo 3, and text that is not ASCII.
    for (const url of ['https://example.com/a?b=c', 'https://example.com/ab', 'https://example.com/abc', 'https://exämple.com/größe?ü=🌷']) {
      const claims = { kind: 'click' as const, messageId: 7, url };
      const token = signToken(keys, claims);
      const [keyId, payload, mac] = token.split('.');
      expect(decodeBase64Url(mac!)).toEqual((await webCryptoMac('edgepost:tracking', `${keyId}.${payload}`)).subarray(0, 16));
      expect(verifyToken([keys], token, 'click')).toEqual(claims);
    }
  });

  it('still accepts the links and return paths an earlier release sent (made then with WebCrypto)', async () => {
    const keys = await deriveKeys(SECRET);
    expect(verifyToken([keys], 'ot3im_b-.Yzo0MjpodHRwczovL3Nob3AuZXhhbXBsZS5jb20vc2FsZT9hPTEmYj3DqQ.UrHyRXO0M5pou1PjeyQP5Q', 'click')).toEqual({
      kind: 'click',
      messageId: 42,
      url: 'https://shop.example.com/sale?a=1&b=é',
    });
    expect(verifyToken([keys], 'ot3im_b-.bzo3.1oXhPCVeQfEF89Su2mCcHg', 'open')).toEqual({ kind: 'open', messageId: 7 });
    expect(verifyToken([keys], 'ot3im_b-.bzo3.1oXhPCVeQfEF89Su2mCcHh', 'open')).toBeNull();
    expect(verpAddress(keys, 'bounces@mail.example.com', 42)).toBe('bounces+42-8babef131ee8@mail.example.com');
  });

  it('signs a batch in order, the same tokens as one by one', async () => {
    const keys = await deriveKeys(SECRET);
    const claims: TokenClaims[] = [
      { kind: 'unsubscribe', messageId: 9 },
      { kind: 'open', messageId: 9 },
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'click' as const, messageId: 9, url: `https://example.com/item/${i}` })),
      { kind: 'anonymous-click', campaignId: 4, url: 'https://example.com/' },
    ];
    const batch = signTokens(keys, claims);
    expect(batch).toEqual(claims.map((c) => signToken(keys, c)));
    expect(new Set(batch).size).toBe(claims.length);
    expect(() => signTokens(keys, [claims[0]!, { kind: 'open', messageId: -1 }])).toThrow(/positive integer/);
  });

  it('derives different keys from different secrets', async () => {
    const [a, b] = await Promise.all([deriveKeys(SECRET), deriveKeys(`${SECRET}!`)]);
    expect(a.trackingKeyId).not.toBe(b.trackingKeyId);
    expect(verifyToken([b], signToken(a, { kind: 'open', messageId: 1 }), 'open')).toBeNull();
  });

  it('refuses to sign what no verifier would accept', async () => {
    const keys = await deriveKeys(SECRET);
    expect(() => signToken(keys, { kind: 'click', messageId: 1, url: 'javascript:alert(1)' })).toThrow(/http/);
    expect(() => signToken(keys, { kind: 'open', messageId: 0 })).toThrow(/positive integer/);
    expect(() => signToken(keys, { kind: 'open', messageId: 2 ** 53 })).toThrow(/positive integer/);
  });
});

describe('VERP', () => {
  it('makes an address whose MAC WebCrypto computes from the VERP key, and it parses back', async () => {
    const keys = await deriveKeys(SECRET);
    const address = verpAddress(keys, 'bounces@mail.example.com', 42);
    const mac = Buffer.from((await webCryptoMac('edgepost:verp', 'verp:42')).subarray(0, 6)).toString('hex');
    expect(address).toBe(`bounces+42-${mac}@mail.example.com`);
    expect(parseVerpAddress(keys, address)).toBe(42);
    expect(parseVerpAddress(keys, address.replace('+42-', '+43-'))).toBeNull();
  });
});
