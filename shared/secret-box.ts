// Relay credentials at rest: a JSON object sealed with AES-256-GCM under `keys.secrets`
// (derived from SECRET_KEY). Text format `v1.<iv>.<ciphertext+tag>`, both base64url: the
// version prefix lets a later format (or key rotation) coexist with rows already stored.
import { decodeBase64Url, encodeBase64Url } from './base64url';

const VERSION = 'v1';
/** 96-bit IVs: the size GCM is specified for; random, so never reused under one key in practice. */
const IV_BYTES = 12;
/** GCM appends a 128-bit tag, so any genuine ciphertext is at least this long. */
const TAG_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type SecretValues = Record<string, unknown>;

/** The box cannot be opened: wrong SECRET_KEY, tampered or truncated text, unknown version. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Encrypts a JSON object into the versioned text format. */
export async function encryptSecrets(key: CryptoKey, values: SecretValues): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = encoder.encode(JSON.stringify(values));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext));
  return `${VERSION}.${encodeBase64Url(iv)}.${encodeBase64Url(ciphertext)}`;
}

/** Decrypts text made by encryptSecrets; throws SecretBoxError if it cannot be opened. */
export async function decryptSecrets(key: CryptoKey, text: string): Promise<SecretValues> {
  const [version, ivText, dataText, ...rest] = text.split('.');
  if (version !== VERSION || rest.length > 0) throw new SecretBoxError(`Unknown secret format (expected ${VERSION}).`);
  const iv = decodeBase64Url(ivText ?? '');
  const data = decodeBase64Url(dataText ?? '');
  if (!iv || iv.length !== IV_BYTES || !data || data.length < TAG_BYTES) throw new SecretBoxError('Malformed secret text.');
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(iv) }, key, new Uint8Array(data));
  } catch {
    throw new SecretBoxError('Secrets cannot be decrypted: SECRET_KEY changed or the stored value was altered.');
  }
  const values: unknown = JSON.parse(decoder.decode(plaintext));
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new SecretBoxError('Decrypted secrets are not a JSON object.');
  }
  return values as SecretValues;
}
