// base64url without padding (RFC 4648 §5), on Web-standard APIs only.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const ascii = new TextDecoder();
let scratch = new Uint8Array(256);

/**
 * Writes the base64url of `bytes[0, length)` as ASCII codes into `out` at `at` and returns
 * where it ended; `out` needs room for 4 codes per 3 bytes. A tracking token is built this
 * way in one buffer (shared/tokens.ts), with no string until the whole token.
 */
export function writeBase64Url(bytes: Uint8Array, length: number, out: Uint8Array, at: number): number {
  let i = 0;
  for (const whole = length - 2; i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[at++] = CODES[v >> 18]!;
    out[at++] = CODES[(v >> 12) & 63]!;
    out[at++] = CODES[(v >> 6) & 63]!;
    out[at++] = CODES[v & 63]!;
  }
  const left = length - i;
  if (left === 0) return at;
  const v = (bytes[i]! << 16) | (left === 2 ? bytes[i + 1]! << 8 : 0);
  out[at++] = CODES[v >> 18]!;
  out[at++] = CODES[(v >> 12) & 63]!;
  if (left === 2) out[at++] = CODES[(v >> 6) & 63]!;
  return at;
}

/** The base64url of `bytes`: a table lookup per 6 bits, not btoa and three RegExps. */
export function encodeBase64Url(bytes: Uint8Array): string {
  const room = Math.ceil(bytes.length / 3) * 4;
  if (scratch.length < room) scratch = new Uint8Array(room);
  return ascii.decode(scratch.subarray(0, writeBase64Url(bytes, bytes.length, scratch, 0)));
}

/** Returns null for anything that is not canonical base64url, so callers can refuse it. */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Reject non-canonical spellings (stray low bits), so one token has one spelling.
  return encodeBase64Url(bytes) === text ? bytes : null;
}
