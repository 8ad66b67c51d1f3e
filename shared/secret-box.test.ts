import { describe, expect, it } from 'vitest';
import { deriveKeys } from './keys';
import { decryptSecrets, encryptSecrets, SecretBoxError } from './secret-box';

describe('secret box', async () => {
  const keys = await deriveKeys('secret-box-test-key-0123456789abcdef');
  const other = await deriveKeys('another-secret-key-0123456789abcdef');

  it('round-trips a JSON object in the versioned format, with a fresh IV each time', async () => {
    const values = { user: 'mailer', pass: 'p@ss wörd' };
    const a = await encryptSecrets(keys.secrets, values);
    const b = await encryptSecrets(keys.secrets, values);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('mailer');
    expect(await decryptSecrets(keys.secrets, a)).toEqual(values);
    expect(await decryptSecrets(keys.secrets, b)).toEqual(values);
  });

  it('refuses another key, a tampered text, or an unknown format', async () => {
    const sealed = await encryptSecrets(keys.secrets, { pass: 'x' });
    await expect(decryptSecrets(other.secrets, sealed)).rejects.toThrow(SecretBoxError);
    const [v, iv, data] = sealed.split('.') as [string, string, string];
    const flipped = data.slice(0, -2) + (data.at(-2) === 'A' ? 'B' : 'A') + data.at(-1);
    await expect(decryptSecrets(keys.secrets, `${v}.${iv}.${flipped}`)).rejects.toThrow(/cannot be decrypted/);
    await expect(decryptSecrets(keys.secrets, `v2.${iv}.${data}`)).rejects.toThrow(/Unknown secret format/);
    await expect(decryptSecrets(keys.secrets, `v1.${iv}`)).rejects.toThrow(/Malformed/);
    await expect(decryptSecrets(keys.secrets, `v1.${iv}.${data}.x`)).rejects.toThrow(SecretBoxError);
  });
});
