// Signed tracking tokens: `<keyId>.<payload>.<mac>`, all base64url. The click token carries
// the destination URL itself, so the redirect needs no database read, and the MAC makes the
// redirector useless to anyone who wants an open redirect. Anonymous tracking's tokens name
// the campaign instead of the message, so nothing in such a mail tells us who read it.
import { decodeBase64Url, writeBase64Url } from './base64url';
import type { Keys } from './keys';

export type TokenKind = 'open' | 'click' | 'unsubscribe' | 'anonymous-open' | 'anonymous-click';

export type TokenClaims =
  | { kind: 'open'; messageId: number }
  | { kind: 'unsubscribe'; messageId: number }
  | { kind: 'click'; messageId: number; url: string }
  /** Anonymous tracking: the campaign only. */
  | { kind: 'anonymous-open'; campaignId: number }
  | { kind: 'anonymous-click'; campaignId: number; url: string };

/** The claims of a token of kind K. */
export type ClaimsOf<K extends TokenKind> = Extract<TokenClaims, { kind: K }>;

// Upper case for the anonymous kinds: their number is a campaign id, never a message id.
const KIND_CODE: Record<TokenKind, string> = { open: 'o', click: 'c', unsubscribe: 'u', 'anonymous-open': 'O', 'anonymous-click': 'C' };
const CODE_KIND: Record<string, TokenKind> = { o: 'open', c: 'click', u: 'unsubscribe', O: 'anonymous-open', C: 'anonymous-click' };
/** 128-bit tags: forging one is out of reach, and URLs stay short. */
const MAC_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const DOT = 0x2e;
/** A token is built in bytes, one string at the end: the claims' UTF-8, then the token's ASCII. */
let textBytes = new Uint8Array(512);
let tokenBytes = new Uint8Array(1024);

export type TrackingKeys = Pick<Keys, 'trackingKeyId' | 'signTracking'>;

const isClick = (kind: TokenKind) => kind === 'click' || kind === 'anonymous-click';
const idOf = (claims: TokenClaims) => ('campaignId' in claims ? claims.campaignId : claims.messageId);

/** Signs a token; throws on claims no verifier would accept, so a bad link never ships. */
export function signToken(keys: TrackingKeys, claims: TokenClaims): string {
  return signTokens(keys, [claims])[0]!;
}

/** Signs tokens in order, as signToken does each: a message signs one per tracked link. */
export function signTokens(keys: TrackingKeys, all: readonly TokenClaims[]): string[] {
  return all.map((claims) => signOne(keys, claims));
}

function signOne(keys: TrackingKeys, claims: TokenClaims): string {
  const text = claimsText(claims);
  if (textBytes.length < text.length * 3) textBytes = new Uint8Array(text.length * 3);
  const length = encoder.encodeInto(text, textBytes).written;
  const keyId = keys.trackingKeyId;
  const room = keyId.length + Math.ceil(length / 3) * 4 + Math.ceil(MAC_BYTES / 3) * 4 + 2;
  if (tokenBytes.length < room) tokenBytes = new Uint8Array(room);
  let at = 0;
  for (; at < keyId.length; at++) tokenBytes[at] = keyId.charCodeAt(at);
  tokenBytes[at++] = DOT;
  at = writeBase64Url(textBytes, length, tokenBytes, at);
  // The MAC signs `<keyId>.<payload>`, the bytes written so far.
  const mac = keys.signTracking(tokenBytes.subarray(0, at));
  tokenBytes[at++] = DOT;
  at = writeBase64Url(mac, MAC_BYTES, tokenBytes, at);
  return decoder.decode(tokenBytes.subarray(0, at));
}

/** The text a token's payload carries; throws on claims no verifier would accept. */
function claimsText(claims: TokenClaims): string {
  const id = idOf(claims);
  const what = 'campaignId' in claims ? 'campaignId' : 'messageId';
  if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`token ${what} must be a positive integer, got ${id}`);
  const url = 'url' in claims ? claims.url : undefined;
  if (isClick(claims.kind) && !/^https?:\/\//i.test(url ?? '')) throw new RangeError('click tokens need an http(s) URL');
  return `${KIND_CODE[claims.kind]}:${id}` + (isClick(claims.kind) ? `:${url}` : '');
}

/**
 * Returns the claims of a genuine token of one of the expected kinds, or null for anything
 * else (unknown key id, bad MAC, malformed payload, another kind): callers answer null with
 * a plain 404.
 */
export function verifyToken<K extends TokenKind>(keyring: readonly TrackingKeys[], token: string, kinds: K | readonly K[]): ClaimsOf<K> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [keyId, payload, macText] = parts as [string, string, string];
  const keys = keyring.find((k) => k.trackingKeyId === keyId);
  const mac = decodeBase64Url(macText);
  if (!keys || !mac || mac.length !== MAC_BYTES) return null;
  const full = keys.signTracking(`${keyId}.${payload}`);
  if (!constantTimeEqual(full.subarray(0, MAC_BYTES), mac)) return null;
  const bytes = decodeBase64Url(payload);
  if (!bytes) return null;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  const match = /^([ocuOC]):([1-9][0-9]{0,15})(?::(.+))?$/s.exec(text);
  const kind = match && CODE_KIND[match[1]!];
  if (!match || !kind || !(typeof kinds === 'string' ? kinds === kind : kinds.includes(kind as K))) return null;
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id)) return null;
  return claimsFrom(kind, id, match[3]) as ClaimsOf<K> | null;
}

function claimsFrom(kind: TokenKind, id: number, url: string | undefined): TokenClaims | null {
  if (isClick(kind)) {
    if (!url || !/^https?:\/\//i.test(url)) return null;
    return kind === 'click' ? { kind, messageId: id, url } : { kind: 'anonymous-click', campaignId: id, url };
  }
  if (url !== undefined) return null;
  if (kind === 'anonymous-open') return { kind, campaignId: id };
  return kind === 'open' ? { kind, messageId: id } : { kind: 'unsubscribe', messageId: id };
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
