// Signed tracking tokens: `<keyId>.<payload>.<mac>`, all base64url. The click token carries
// the destination URL itself, so the redirect needs no database read, and the MAC makes the
// redirector useless to anyone who wants an open redirect.
import { decodeBase64Url, encodeBase64Url } from './base64url';
import type { Keys } from './keys';

export type TokenKind = 'open' | 'click' | 'unsubscribe';

export interface TokenClaims {
  kind: TokenKind;
  messageId: number;
  /** The destination, for click tokens only. */
  url?: string;
}

const KIND_CODE: Record<TokenKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
const CODE_KIND: Record<string, TokenKind> = { o: 'open', c: 'click', u: 'unsubscribe' };
/** 128-bit tags: forging one is out of reach, and URLs stay short. */
const MAC_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export type TrackingKeys = Pick<Keys, 'trackingKeyId' | 'tracking' | 'signTracking'>;

/** Signs a token; throws on claims no verifier would accept, so a bad link never ships. */
export async function signToken(keys: TrackingKeys, claims: TokenClaims): Promise<string> {
  if (!Number.isSafeInteger(claims.messageId) || claims.messageId < 1) throw new RangeError(`token messageId must be a positive integer, got ${claims.messageId}`);
  if (claims.kind === 'click' && !/^https?:\/\//i.test(claims.url ?? '')) throw new RangeError('click tokens need an http(s) URL');
  const text = `${KIND_CODE[claims.kind]}:${claims.messageId}` + (claims.kind === 'click' ? `:${claims.url}` : '');
  const payload = encodeBase64Url(encoder.encode(text));
  const signed = encoder.encode(`${keys.trackingKeyId}.${payload}`);
  const mac = keys.signTracking ? keys.signTracking(signed) : new Uint8Array(await crypto.subtle.sign('HMAC', keys.tracking, signed));
  return `${keys.trackingKeyId}.${payload}.${encodeBase64Url(mac.subarray(0, MAC_BYTES))}`;
}

/**
 * Returns the claims of a genuine token of the expected kind, or null for anything else
 * (unknown key id, bad MAC, malformed payload): callers answer null with a plain 404.
 */
export async function verifyToken(keyring: TrackingKeys[], token: string, kind: TokenKind): Promise<TokenClaims | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [keyId, payload, macText] = parts as [string, string, string];
  const keys = keyring.find((k) => k.trackingKeyId === keyId);
  const mac = decodeBase64Url(macText);
  if (!keys || !mac || mac.length !== MAC_BYTES) return null;
  const full = new Uint8Array(await crypto.subtle.sign('HMAC', keys.tracking, encoder.encode(`${keyId}.${payload}`)));
  if (!constantTimeEqual(full.subarray(0, MAC_BYTES), mac)) return null;
  const bytes = decodeBase64Url(payload);
  if (!bytes) return null;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  const match = /^([ocu]):([1-9][0-9]{0,15})(?::(.+))?$/s.exec(text);
  if (!match || CODE_KIND[match[1]!] !== kind) return null;
  const messageId = Number(match[2]);
  if (!Number.isSafeInteger(messageId)) return null;
  if (kind === 'click') {
    const url = match[3];
    return url && /^https?:\/\//i.test(url) ? { kind, messageId, url } : null;
  }
  return match[3] === undefined ? { kind, messageId } : null;
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
