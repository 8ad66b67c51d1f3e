// Every key Edgepost uses is derived from the one SECRET_KEY with HKDF, one per purpose,
// so a leaked tracking key cannot decrypt relay credentials and vice versa.
import { encodeBase64Url } from './base64url';
import { hmacSha256, type HmacSigner } from './hmac-sha256';

const encoder = new TextEncoder();

export interface Keys {
  /** Short id of the tracking key, carried in every token so keys can be rotated. */
  trackingKeyId: string;
  /** Sign with the tracking or VERP key (./hmac-sha256.ts): synchronous, as a message signs a token per link. */
  signTracking: HmacSigner;
  signVerp: HmacSigner;
  secrets: CryptoKey;
}

/** Derives every key from SECRET_KEY. */
export async function deriveKeys(secretKey: string): Promise<Keys> {
  const master = await crypto.subtle.importKey('raw', encoder.encode(secretKey), 'HKDF', false, ['deriveBits']);
  const bits = async (info: string, length: number) =>
    new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) }, master, length));
  const [trackingBits, verpBits, idBits, secretsBits] = await Promise.all([
    bits('edgepost:tracking', 256),
    bits('edgepost:verp', 256),
    bits('edgepost:tracking-key-id', 48),
    bits('edgepost:secrets', 256),
  ]);
  return {
    trackingKeyId: encodeBase64Url(idBits),
    signTracking: hmacSha256(trackingBits),
    signVerp: hmacSha256(verpBits),
    secrets: await crypto.subtle.importKey('raw', secretsBits, 'AES-GCM', false, ['encrypt', 'decrypt']),
  };
}
