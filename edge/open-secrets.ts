// Secrets saved by the API (sending servers, relay webhooks), opened for checks and merges,
// never returned. A row sealed under another SECRET_KEY opens as empty, with the reason.
import { decryptSecrets, type SecretValues } from '../shared/secret-box';

export async function openSecrets(secretsKey: CryptoKey, sealed: string | null): Promise<{ values: SecretValues; problem: string | null }> {
  if (!sealed) return { values: {}, problem: null };
  try {
    return { values: await decryptSecrets(secretsKey, sealed), problem: null };
  } catch (err) {
    return { values: {}, problem: `${(err as Error).message} Send the secrets again with PATCH.` };
  }
}
