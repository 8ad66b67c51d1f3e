// A sending server's secrets as the API may use them: decrypted for checks and merges,
// never returned. A row sealed under another SECRET_KEY reads as empty, with the reason.
import type { SendingServerRow } from '../shared/queries/sending-servers';
import { decryptSecrets, type SecretValues } from '../shared/secret-box';

export async function readServerSecrets(secretsKey: CryptoKey, row: SendingServerRow): Promise<{ values: SecretValues; problem: string | null }> {
  if (!row.secrets) return { values: {}, problem: null };
  try {
    return { values: await decryptSecrets(secretsKey, row.secrets), problem: null };
  } catch (err) {
    return { values: {}, problem: `${(err as Error).message} Send the secrets again with PATCH.` };
  }
}
