import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from './base64url';
import { hashPassword, needsRehash, PASSWORD_PARAMS, passwordProblem, verifyNoPassword, verifyPassword, type ScryptParams } from './passwords';

// Small parameters keep these tests fast; one test runs the real ones.
const FAST: ScryptParams = { N: 16, r: 8, p: 1 };

describe('passwords', () => {
  it('hashes with the current parameters into a self-describing string and verifies it', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toEqual({ ok: true, rehash: false });
    expect(await verifyPassword('correct horse battery stapler', stored)).toEqual({ ok: false, rehash: false });
  });

  it('computes standard scrypt, so hashes move to and from other implementations', async () => {
    const stored = await hashPassword('pleaseletmein-1', FAST);
    const [, n, r, p, salt, hash] = stored.split('$');
    const expected = scryptSync('pleaseletmein-1', decodeBase64Url(salt!)!, 32, { N: Number(n), r: Number(r), p: Number(p) });
    expect(hash).toBe(encodeBase64Url(new Uint8Array(expected)));
  });

  it('salts every hash', async () => {
    const [a, b] = [await hashPassword('same password here', FAST), await hashPassword('same password here', FAST)];
    expect(a).not.toBe(b);
    expect((await verifyPassword('same password here', b, FAST)).ok).toBe(true);
  });

  it('asks for a rehash only when the password is right and the stored parameters are weaker', async () => {
    const weak = await hashPassword('a long enough password', FAST);
    expect(await verifyPassword('a long enough password', weak, { N: 32, r: 8, p: 1 })).toEqual({ ok: true, rehash: true });
    expect(await verifyPassword('a long enough password', weak, FAST)).toEqual({ ok: true, rehash: false });
    expect(await verifyPassword('not the password at all', weak, { N: 32, r: 8, p: 1 })).toEqual({ ok: false, rehash: false });

    expect(needsRehash({ N: 2 ** 14, r: 8, p: 1 }, PASSWORD_PARAMS)).toBe(true); // less work
    expect(needsRehash({ N: 2 ** 13, r: 8, p: 20 }, PASSWORD_PARAMS)).toBe(true); // less memory
    expect(needsRehash({ N: 2 ** 15, r: 8, p: 3 }, PASSWORD_PARAMS)).toBe(false);
    expect(needsRehash(PASSWORD_PARAMS, PASSWORD_PARAMS)).toBe(false);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait, tr\u00e8s chaud', FAST);
    expect((await verifyPassword('cafe\u0301 au lait, tre\u0300s chaud', stored, FAST)).ok).toBe(true);
  });

  it('refuses a stored value that is not one of its hashes', async () => {
    const good = await hashPassword('a long enough password', FAST);
    const parts = good.split('$');
    const bad = [
      'plain-text-password',
      `bcrypt$${parts.slice(1).join('$')}`,
      ['scrypt', 1000, 8, 1, parts[4], parts[5]].join('$'), // N not a power of two
      ['scrypt', 2 ** 21, 8, 1, parts[4], parts[5]].join('$'), // absurd work
      ['scrypt', 16, 8, 1, parts[4], 'AAAA'].join('$'), // short hash
      `${good}$extra`,
    ];
    for (const stored of bad) {
      await expect(verifyPassword('a long enough password', stored), stored).rejects.toThrow(/scrypt\$N\$r\$p\$salt\$hash/);
    }
  });

  it('spends a verification on unknown accounts and says no', async () => {
    expect(await verifyNoPassword('whatever they typed', FAST)).toBe(false);
  });

  it('names what is wrong with a password', () => {
    expect(passwordProblem('short', 'ann@example.com')).toBe('password must be at least 12 characters');
    expect(passwordProblem('x'.repeat(1001), 'ann@example.com')).toBe('password must be at most 1000 characters');
    expect(passwordProblem(' Ann@Example.com ', 'ann@example.com')).toBe("password must not be the account's email address");
    expect(passwordProblem('twelve chars', 'ann@example.com')).toBeNull();
    // Counted in characters, not UTF-16 units: eleven emoji are eleven characters.
    expect(passwordProblem('\u{1F600}'.repeat(11), 'ann@example.com')).toBe('password must be at least 12 characters');
  });
});
