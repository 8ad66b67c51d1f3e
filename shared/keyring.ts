// The keys of SECRET_KEY and of every retired SECRET_KEY_PREVIOUS, current first: new
// tokens, VERP addresses and sealed secrets use the current one; links already sent and
// secrets already saved still open with a retired one until `secrets rekey` and the
// links' age make it safe to drop.
import { deriveKeys, type Keys } from './keys';
import { decryptSecrets, SecretBoxError, type SecretValues } from './secret-box';

/** Every usable set of keys, the current one first. */
export type Keyring = [Keys, ...Keys[]];

/** The secrets keys to try, current first; a single key stands for a keyring of one. */
export type SecretKeys = readonly CryptoKey[];

/** Derives the keyring from the parsed config (SECRET_KEY, then SECRET_KEY_PREVIOUS in order). */
export async function deriveKeyring(config: { SECRET_KEY: string; SECRET_KEY_PREVIOUS?: string[] }): Promise<Keyring> {
  const retired = (config.SECRET_KEY_PREVIOUS ?? []).filter((key) => key !== config.SECRET_KEY);
  const [current, ...rest] = await Promise.all([config.SECRET_KEY, ...retired].map((key) => deriveKeys(key)));
  return [current!, ...rest];
}

/** The secrets keys of a keyring, current first: what every opener of sealed secrets takes. */
export function secretKeysOf(keyring: readonly Keys[]): CryptoKey[] {
  return keyring.map((keys) => keys.secrets);
}

/**
 * Opens sealed text with the first key that fits, and says which (0: the current key).
 * Throws the current key's SecretBoxError when none fits.
 */
export async function openSealedWithIndex(keys: SecretKeys, sealed: string): Promise<{ values: SecretValues; keyIndex: number }> {
  let first: unknown;
  for (const [keyIndex, key] of keys.entries()) {
    try {
      return { values: await decryptSecrets(key, sealed), keyIndex };
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      first ??= err;
    }
  }
  throw first ?? new SecretBoxError('No secrets key to open the stored value with.');
}

/** Opens sealed text with the current key, else a retired one; throws SecretBoxError when none fits. */
export async function openSealedSecrets(keys: SecretKeys, sealed: string): Promise<SecretValues> {
  return (await openSealedWithIndex(keys, sealed)).values;
}
