// The dashboard's session cookie and the checks that keep another site from riding it.
// The cookie is HttpOnly and SameSite=Lax; when the edge is reached over https (the request
// says so, or PUBLIC_URL does: behind a TLS-terminating proxy the Node host sees plain http)
// it is also Secure and named with the `__Host-` prefix, so no sibling subdomain or
// plain-http page can plant one.
// The CSRF token is an HMAC keyed with the session token itself: unguessable without the
// cookie, never stored, and no server key is needed to check it.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { decodeBase64Url, encodeBase64Url } from '../shared/base64url';

const COOKIE_NAME = 'edgepost_session';
/** A browser that has signed in before (shared/queries/sign-in-devices.ts); it outlives sessions and sign-outs. */
const DEVICE_COOKIE_NAME = 'edgepost_device';
const CSRF_LABEL = new TextEncoder().encode('edgepost:csrf');

const isHttps = (c: Context, publicUrl: string) => new URL(c.req.url).protocol === 'https:' || publicUrl.startsWith('https:');

// Hono adds the `__Host-` prefix to the name (and checks Secure, Path=/ and no Domain).
function cookieOptions(c: Context, publicUrl: string): CookieOptions {
  const base = { httpOnly: true, sameSite: 'Lax', path: '/' } as const;
  return isHttps(c, publicUrl) ? { ...base, secure: true, prefix: 'host' } : base;
}

/** The 32-byte token a cookie of ours carries, or null (a cookie that cannot be one of ours counts as none). */
function readToken(c: Context, publicUrl: string, name: string): string | null {
  const value = isHttps(c, publicUrl) ? getCookie(c, name, 'host') : getCookie(c, name);
  return value && decodeBase64Url(value)?.length === 32 ? value : null;
}

/** The session token the request carries, or null. */
export function readSessionToken(c: Context, publicUrl: string): string | null {
  return readToken(c, publicUrl, COOKIE_NAME);
}

/** The remembered-browser token the request carries, or null. */
export function readDeviceToken(c: Context, publicUrl: string): string | null {
  return readToken(c, publicUrl, DEVICE_COOKIE_NAME);
}

/** Sets the remembered-browser cookie, kept until the device's end. */
export function setDeviceCookie(c: Context, publicUrl: string, token: string, expiresAt: number): void {
  setCookie(c, DEVICE_COOKIE_NAME, token, { ...cookieOptions(c, publicUrl), expires: new Date(expiresAt) });
}

/** Sets the session cookie; the browser keeps it until the session's absolute end. */
export function setSessionCookie(c: Context, publicUrl: string, token: string, expiresAt: number): void {
  setCookie(c, COOKIE_NAME, token, { ...cookieOptions(c, publicUrl), expires: new Date(expiresAt) });
}

export function clearSessionCookie(c: Context, publicUrl: string): void {
  deleteCookie(c, COOKIE_NAME, cookieOptions(c, publicUrl));
}

async function csrfKey(sessionToken: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(decodeBase64Url(sessionToken)!), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** The X-CSRF-Token that goes with a session token. */
export async function csrfToken(sessionToken: string): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', await csrfKey(sessionToken), CSRF_LABEL)));
}

/** True when `given` is the session's CSRF token (compared in constant time by WebCrypto). */
export async function csrfTokenMatches(sessionToken: string, given: string | undefined): Promise<boolean> {
  const bytes = given ? decodeBase64Url(given) : null;
  if (!bytes) return false;
  return crypto.subtle.verify('HMAC', await csrfKey(sessionToken), new Uint8Array(bytes), CSRF_LABEL);
}

/**
 * True when the browser says the request comes from this site: its Origin is PUBLIC_URL's,
 * or the request's own origin when that names this host by a loopback name or an IP address
 * (a local install browsed at 127.0.0.1 while PUBLIC_URL says localhost). Any other host
 * name in the request's own origin comes from its Host header, which a DNS-rebinding page
 * controls, so it does not count. With no Origin, `Sec-Fetch-Site: same-origin` decides.
 */
export function isSameOrigin(c: Context, publicUrl: string): boolean {
  const origin = c.req.header('origin');
  if (!origin) return c.req.header('sec-fetch-site') === 'same-origin';
  if (origin === new URL(publicUrl).origin) return true;
  const own = new URL(c.req.url);
  return origin === own.origin && isAddressOrLoopback(own.hostname);
}

/** `localhost`, an IPv4 address or a bracketed IPv6 address: names no DNS answer can point elsewhere. */
function isAddressOrLoopback(hostname: string): boolean {
  return hostname === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');
}

/**
 * True when a browser says the request comes from another site. Requests with neither
 * header (curl, scripts) are not from a browser page and pass.
 */
export function isFromAnotherSite(c: Context, publicUrl: string): boolean {
  const origin = c.req.header('origin');
  const fetchSite = c.req.header('sec-fetch-site');
  if (!origin && !fetchSite) return false;
  if (origin && origin !== 'null') return !isSameOrigin(c, publicUrl);
  return fetchSite !== 'same-origin' && fetchSite !== 'none';
}
