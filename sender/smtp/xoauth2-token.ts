// OAuth2 access tokens for XOAUTH2 (Gmail): the refresh token traded at the token endpoint
// (RFC 6749 §6), the access token kept until a minute before it expires, one request at a
// time however many connections log in at once. Tokens and secrets are never logged or
// put in an error; Google's own error text is.
import { smtpError } from './smtp-error';

export interface AccessTokenSource {
  /** A valid access token: the cached one, or a new one. */
  get(): Promise<string>;
  /** A new access token, unless another caller already replaced `stale`. */
  refresh(stale: string): Promise<string>;
}

export interface OAuthRefreshOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The token endpoint; default Google's. */
  tokenUrl?: string;
  /** Give up on the token endpoint after this long (default 30 s). */
  timeoutMs?: number;
  /** The clock, for tests (default Date.now). */
  now?: () => number;
}

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
// Renew this long before the endpoint says the token expires, so it never expires mid-login.
const EARLY_MS = 60_000;

interface TokenReply {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/** A token source over the OAuth2 refresh-token grant. */
export function createOAuthTokenSource(options: OAuthRefreshOptions): AccessTokenSource {
  const tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
  const now = options.now ?? Date.now;
  let cached: { token: string; until: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      refresh_token: options.refreshToken,
    });
    let res: Response;
    let reply: TokenReply;
    try {
      res = await fetch(tokenUrl, { method: 'POST', body, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      reply = (await res.json().catch(() => ({}))) as TokenReply;
    } catch (err) {
      throw smtpError('ECONNECTION', `the OAuth2 token endpoint could not be reached: ${(err as Error).message}`, { command: 'AUTH XOAUTH2' });
    }
    if (res.ok && typeof reply.access_token === 'string' && reply.access_token !== '') {
      const lifetimeS = typeof reply.expires_in === 'number' ? reply.expires_in : 3600;
      cached = { token: reply.access_token, until: now() + lifetimeS * 1000 - EARLY_MS };
      return reply.access_token;
    }
    const words = [reply.error, reply.error_description].filter((w) => typeof w === 'string' && w !== '').join(': ') || `HTTP ${res.status}`;
    // A server error is the endpoint's trouble, not the credentials': try again later.
    throw smtpError(res.status >= 500 ? 'ECONNECTION' : 'EAUTH', `the OAuth2 token endpoint refused the refresh token: ${words}`, { command: 'AUTH XOAUTH2' });
  }

  function shared(): Promise<string> {
    inFlight ??= fetchToken().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  return {
    get() {
      if (cached && now() < cached.until) return Promise.resolve(cached.token);
      return shared();
    },
    refresh(stale) {
      if (cached && cached.token !== stale && now() < cached.until) return Promise.resolve(cached.token);
      cached = null;
      return shared();
    },
  };
}
