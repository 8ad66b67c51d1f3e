// Every key Edgepost uses is derived from the one SECRET_KEY with HKDF, one per purpose,
// so a leaked tracking key cannot decrypt relay credentials and vice versa.
import { encodeBase64Url } from './base64url';

export type KeyPurpose = 'tracking' | 'verp' | 'secrets';

const encoder = new TextEncoder();

/**
 * A host's synchronous HMAC-SHA-256 (node/hmac.ts): given a key's bytes once, it returns a
 * signer of UTF-8 text. WebCrypto's async sign costs several times as much per token.
 */
export type HmacSha256 = (key: Uint8Array) => (text: string) => Uint8Array;

export interface Keys {
  /** Short id of the tracking key, carried in every token so keys can be rotated. */
  trackingKeyId: string;
  tracking: CryptoKey;
  /** Sign with the tracking or VERP key synchronously, when the host gave deriveKeys an HmacSha256. */
  signTracking?: (text: string) => Uint8Array;
  signVerp?: (text: string) => Uint8Array;
  verp: CryptoKey;
  secrets: CryptoKey;
}

/** Derives every key from SECRET_KEY; `hmacSha256` lets a host with a fast HMAC sign tokens with it. */
export async function deriveKeys(secretKey: string, hmacSha256?: HmacSha256): Promise<Keys> {
  const master = await crypto.subtle.importKey('raw', encoder.encode(secretKey), 'HKDF', false, ['deriveBits']);
  const bits = async (info: string, length: number) =>
    new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) }, master, length));
  // One set of bytes per purpose, used both as the WebCrypto key and by a host HMAC, so
  // the two ways of signing cannot disagree.
  const hmac = async (purpose: KeyPurpose) => {
    const raw = await bits(`edgepost:${purpose}`, 256);
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { key, sign: hmacSha256?.(raw) };
  };
  const [tracking, verp, idBits, secretsBits] = await Promise.all([
    hmac('tracking'),
    hmac('verp'),
    bits('edgepost:tracking-key-id', 48),
    bits('edgepost:secrets', 256),
  ]);
  return {
    trackingKeyId: encodeBase64Url(idBits),
    tracking: tracking.key,
    verp: verp.key,
    secrets: await crypto.subtle.importKey('raw', secretsBits, 'AES-GCM', false, ['encrypt', 'decrypt']),
    ...(tracking.sign ? { signTracking: tracking.sign } : {}),
    ...(verp.sign ? { signVerp: verp.sign } : {}),
  };
}
