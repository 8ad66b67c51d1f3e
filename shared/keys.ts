// Every key Edgepost uses is derived from the one SECRET_KEY with HKDF, one per purpose,
// so a leaked tracking key cannot decrypt relay credentials and vice versa.
import { encodeBase64Url } from './base64url';

export type KeyPurpose = 'tracking' | 'verp' | 'secrets';

const encoder = new TextEncoder();

/** A synchronous HMAC-SHA-256 (Node's createHmac): WebCrypto's async sign costs ~15 µs a call. */
export type HmacSha256 = (key: Uint8Array, data: Uint8Array) => Uint8Array;

export interface Keys {
  /** Short id of the tracking key, carried in every token so keys can be rotated. */
  trackingKeyId: string;
  tracking: CryptoKey;
  /** Sign with the tracking or VERP key synchronously, when the host gave deriveKeys an HmacSha256. */
  signTracking?: (data: Uint8Array) => Uint8Array;
  signVerp?: (data: Uint8Array) => Uint8Array;
  verp: CryptoKey;
  secrets: CryptoKey;
}

/** Derives every key from SECRET_KEY; `hmacSha256` lets a host with a fast HMAC sign tokens with it. */
export async function deriveKeys(secretKey: string, hmacSha256?: HmacSha256): Promise<Keys> {
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
  // The same bytes deriveKey(purpose) makes: the HKDF output is the HMAC key.
  const syncSigner = async (purpose: KeyPurpose) => {
    if (!hmacSha256) return undefined;
    const info = encoder.encode(`edgepost:${purpose}`);
    const raw = new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, master, 256));
    return (data: Uint8Array) => hmacSha256(raw, data);
  };
  const [signTracking, signVerp] = await Promise.all([syncSigner('tracking'), syncSigner('verp')]);
  return {
    ...(signTracking ? { signTracking } : {}),
    ...(signVerp ? { signVerp } : {}),
    trackingKeyId: encodeBase64Url(new Uint8Array(idBits)),
    tracking: await hmacKey('tracking'),
    verp: await hmacKey('verp'),
    secrets,
  };
}
