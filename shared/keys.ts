// Every key Edgepost uses is derived from the one SECRET_KEY with HKDF, one per purpose,
// so a leaked tracking key cannot decrypt relay credentials and vice versa.
import { encodeBase64Url } from './base64url';

export type KeyPurpose = 'tracking' | 'verp' | 'secrets';

const encoder = new TextEncoder();

export interface Keys {
  /** Short id of the tracking key, carried in every token so keys can be rotated. */
  trackingKeyId: string;
  tracking: CryptoKey;
  verp: CryptoKey;
  secrets: CryptoKey;
}

export async function deriveKeys(secretKey: string): Promise<Keys> {
  const master = await crypto.subtle.importKey('raw', encoder.encode(secretKey), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hmacKey = (purpose: KeyPurpose) =>
    crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`edgepost:${purpose}`) },
      master,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign', 'verify'],
    );
  const idBits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('edgepost:tracking-key-id') },
    master,
    48,
  );
  const secrets = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('edgepost:secrets') },
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return {
    trackingKeyId: encodeBase64Url(new Uint8Array(idBits)),
    tracking: await hmacKey('tracking'),
    verp: await hmacKey('verp'),
    secrets,
  };
}
