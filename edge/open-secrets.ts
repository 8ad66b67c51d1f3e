// Secrets saved by the API (sending servers, relay webhooks), opened for checks and merges,
// never returned. A row sealed under a SECRET_KEY not in the keyring opens as empty, with the reason.
import { openSealedSecrets, type SecretKeys } from '../shared/keyring';
import type { SecretValues } from '../shared/secret-box';

/** Opens a row's secrets with the current key, else a retired one (pass the keyring's secrets keys). */
export async function openSecrets(secretsKeys: SecretKeys, sealed: string | null): Promise<{ values: SecretValues; problem: string | null }> {
  if (!sealed) return { values: {}, problem: null };
  try {
    return { values: await openSealedSecrets(secretsKeys, sealed), problem: null };
  } catch (err) {
    return { values: {}, problem: `${(err as Error).message} Send the secrets again with PATCH.` };
  }
}
