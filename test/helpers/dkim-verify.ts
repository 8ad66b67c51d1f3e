// For tests only: checks our signatures with someone else's verifier. mailauth (by
// nodemailer's author) verifies, and the public key comes from a resolver here, not DNS.
import type { KeyObject } from 'node:crypto';
import { dkimVerify, type DKIMResult } from 'mailauth';

/** The TXT record a marketer would publish at `<selector>._domainkey.<domain>`. */
export function dkimTxtRecord(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 8463 publishes the bare 32-byte Ed25519 key; RSA publishes the whole SubjectPublicKeyInfo.
  if (publicKey.asymmetricKeyType === 'ed25519') return `v=DKIM1; k=ed25519; p=${spki.subarray(-32).toString('base64')}`;
  return `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
}

/** Verifies every DKIM-Signature in a message, answering mailauth's TXT lookups from `records`. */
export async function verifyDkim(message: Buffer | string, records: Record<string, string>): Promise<DKIMResult[]> {
  const { results } = await dkimVerify(typeof message === 'string' ? Buffer.from(message) : message, {
    resolver: async (name: string, type: string) => {
      const record = type === 'TXT' ? records[name] : undefined;
      if (record === undefined) throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
      return [[record]];
    },
  });
  return results;
}
