// Rotating SECRET_KEY: what was made under the retired key still verifies and opens while
// the retired key is in SECRET_KEY_PREVIOUS, and stops once it is dropped.
import { describe, expect, it } from 'vitest';
import { edgeConfigSchema, parseConfig } from './config';
import { deriveKeyring, openSealedSecrets, openSealedWithIndex, secretKeysOf } from './keyring';
import { encryptSecrets, SecretBoxError } from './secret-box';
import { signToken, verifyToken } from './tokens';
import { parseVerpAddress, verpAddress } from './verp';

const OLD = 'old-secret-key-0123456789-0123456789-abc';
const NEW = 'new-secret-key-0123456789-0123456789-xyz';

const config = (env: Record<string, string>) => parseConfig(edgeConfigSchema, env);

describe('SECRET_KEY_PREVIOUS', () => {
  it('is parsed as a comma-separated list, empty when unset', () => {
    expect(config({ SECRET_KEY: NEW }).SECRET_KEY_PREVIOUS).toEqual([]);
    expect(config({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: ` ${OLD} ,${OLD}2,` }).SECRET_KEY_PREVIOUS).toEqual([OLD, `${OLD}2`]);
  });

  it('refuses a retired key shorter than 32 characters, saying which rule', () => {
    expect(() => config({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: `${OLD},short` })).toThrow(/SECRET_KEY_PREVIOUS.*at least 32 characters/);
  });
});

describe('deriveKeyring', () => {
  it('puts the current key first, then the retired ones in order, without repeating the current one', async () => {
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    const [newKeys] = await deriveKeyring({ SECRET_KEY: NEW });
    const ring = await deriveKeyring(config({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: `${NEW},${OLD}` }));
    expect(ring.map((k) => k.trackingKeyId)).toEqual([newKeys.trackingKeyId, oldKeys.trackingKeyId]);
  });

  it('verifies a token signed under the retired key only while that key is in the keyring', async () => {
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    const token = signToken(oldKeys, { kind: 'click', messageId: 42, url: 'https://example.com/sale' });
    const rotated = await deriveKeyring(config({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD }));
    const dropped = await deriveKeyring(config({ SECRET_KEY: NEW }));
    expect(verifyToken(rotated, token, 'click')).toEqual({ kind: 'click', messageId: 42, url: 'https://example.com/sale' });
    expect(verifyToken(dropped, token, 'click')).toBeNull();
  });

  it('accepts a VERP address made under the retired key only while that key is in the keyring', async () => {
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    const address = verpAddress(oldKeys, 'bounces@mail.example.com', 77);
    const rotated = await deriveKeyring(config({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD }));
    const dropped = await deriveKeyring(config({ SECRET_KEY: NEW }));
    expect(parseVerpAddress(rotated, address)).toBe(77);
    expect(parseVerpAddress(rotated, address.toUpperCase())).toBe(77);
    expect(parseVerpAddress(dropped, address)).toBeNull();
    // The current key still makes and reads its own addresses.
    expect(parseVerpAddress(rotated, verpAddress(rotated[0], 'bounces@mail.example.com', 78))).toBe(78);
  });
});

describe('openSealedSecrets', () => {
  it('opens secrets sealed under the retired key, saying it was not the current one', async () => {
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    const sealed = await encryptSecrets(oldKeys.secrets, { pass: 'hunter2' });
    const rotated = secretKeysOf(await deriveKeyring(config({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD })));
    expect(await openSealedWithIndex(rotated, sealed)).toEqual({ values: { pass: 'hunter2' }, keyIndex: 1 });
    expect(await openSealedWithIndex(rotated, await encryptSecrets(rotated[0]!, { pass: 'new' }))).toEqual({ values: { pass: 'new' }, keyIndex: 0 });
  });

  it('throws the SecretBoxError that names SECRET_KEY when no key of the keyring fits', async () => {
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    const sealed = await encryptSecrets(oldKeys.secrets, { pass: 'hunter2' });
    const [newKeys] = await deriveKeyring({ SECRET_KEY: NEW });
    await expect(openSealedSecrets([newKeys.secrets], sealed)).rejects.toThrow(SecretBoxError);
    await expect(openSealedSecrets([newKeys.secrets], sealed)).rejects.toThrow(/SECRET_KEY changed/);
    await expect(openSealedSecrets([], sealed)).rejects.toThrow(/No secrets key/);
  });
});
