import { describe, expect, it } from 'vitest';
import { nodeHmacSha256 } from '../node/hmac';
import { deriveKeys } from './keys';
import { signToken, signTokens, verifyToken, type TokenClaims } from './tokens';
import { parseVerpAddress, verpAddress } from './verp';

const SECRET = 'keys-test-secret-0123456789-0123456789';

describe('deriveKeys', () => {
  it('signs the same tokens with a host HMAC as with WebCrypto', async () => {
    const web = await deriveKeys(SECRET);
    const fast = await deriveKeys(SECRET, nodeHmacSha256);
    // Every length of payload modulo 3, and text that is not ASCII.
    for (const url of ['https://example.com/a?b=c', 'https://example.com/ab', 'https://example.com/abc', 'https://exämple.com/größe?ü=🌷']) {
      const claims = { kind: 'click' as const, messageId: 7, url };
      const token = await signToken(fast, claims);
      expect(token).toBe(await signToken(web, claims));
      expect(await verifyToken([web], token, 'click')).toEqual(claims);
    }
  });

  it('signs a batch in order, the same tokens one by one, with a host HMAC and with WebCrypto', async () => {
    const web = await deriveKeys(SECRET);
    const fast = await deriveKeys(SECRET, nodeHmacSha256);
    const claims: TokenClaims[] = [
      { kind: 'unsubscribe', messageId: 9 },
      { kind: 'open', messageId: 9 },
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'click' as const, messageId: 9, url: `https://example.com/item/${i}` })),
      { kind: 'anonymous-click', campaignId: 4, url: 'https://example.com/' },
    ];
    const batch = await signTokens(fast, claims);
    expect(batch).toEqual(await signTokens(web, claims));
    expect(batch).toEqual(await Promise.all(claims.map((c) => signToken(web, c))));
    expect(new Set(batch).size).toBe(claims.length);
    await expect(signTokens(fast, [claims[0]!, { kind: 'open', messageId: -1 }])).rejects.toThrow(/positive integer/);
  });

  it('derives different keys from different secrets', async () => {
    const [a, b] = await Promise.all([deriveKeys(SECRET), deriveKeys(`${SECRET}!`)]);
    expect(a.trackingKeyId).not.toBe(b.trackingKeyId);
    expect(await verifyToken([b], await signToken(a, { kind: 'open', messageId: 1 }), 'open')).toBeNull();
  });

  it('refuses to sign what no verifier would accept', async () => {
    const keys = await deriveKeys(SECRET);
    await expect(signToken(keys, { kind: 'click', messageId: 1, url: 'javascript:alert(1)' })).rejects.toThrow(/http/);
    await expect(signToken(keys, { kind: 'open', messageId: 0 })).rejects.toThrow(/positive integer/);
    await expect(signToken(keys, { kind: 'open', messageId: 2 ** 53 })).rejects.toThrow(/positive integer/);
  });
});

describe('VERP with a host HMAC', () => {
  it('makes the same address either way, and it parses back', async () => {
    const web = await deriveKeys(SECRET);
    const fast = await deriveKeys(SECRET, nodeHmacSha256);
    const address = await verpAddress(fast, 'bounces@mail.example.com', 42);
    expect(address).toBe(await verpAddress(web, 'bounces@mail.example.com', 42));
    expect(await parseVerpAddress(web, address)).toBe(42);
    expect(await parseVerpAddress(web, address.replace('+42-', '+43-'))).toBeNull();
  });
});
