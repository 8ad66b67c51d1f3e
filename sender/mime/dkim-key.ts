// The DKIM private key, parsed once when a driver is built: parsing PEM costs far more than
// a signature, so a KeyObject is what the signer keeps and reuses for every message.
import { createPrivateKey, type KeyObject } from 'node:crypto';

/** The shortest RSA key verifiers accept (RFC 8301 §3.2); 2048 bits is what to generate. */
export const MIN_RSA_BITS = 1024;

export type DkimKeyCheck = { ok: true; key: KeyObject } | { ok: false; message: string };

/** Parses a PEM private key for DKIM: RSA of at least 1024 bits, or Ed25519 (RFC 8463). */
export function parseDkimPrivateKey(pem: string): DkimKeyCheck {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    // OpenSSL's own words for an encrypted key ("interrupted or cancelled") help nobody.
    const reason = /ENCRYPTED/.test(pem) ? 'it is encrypted; save it without a passphrase' : (err as Error).message;
    return { ok: false, message: `the DKIM private key does not parse as a PEM private key: ${reason}` };
  }
  return checkDkimKey(key);
}

/** Accepts a KeyObject DKIM can sign with, or says what is wrong with it. */
export function checkDkimKey(key: KeyObject): DkimKeyCheck {
  if (key.type !== 'private') return { ok: false, message: 'the DKIM key must be a private key' };
  if (key.asymmetricKeyType === 'ed25519') return { ok: true, key };
  if (key.asymmetricKeyType !== 'rsa') {
    return { ok: false, message: `the DKIM key is ${key.asymmetricKeyType ?? 'of an unknown type'}; use an RSA (2048-bit) or Ed25519 key` };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return { ok: false, message: `the DKIM RSA key has ${bits} bits; verifiers refuse fewer than ${MIN_RSA_BITS} (use 2048)` };
  return { ok: true, key };
}
