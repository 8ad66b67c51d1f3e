// The token source against a local stand-in for Google's token endpoint: one request for
// many callers, the token kept until a minute before it expires, Google's words on refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogleOAuth, type FakeGoogleOAuth } from '../../test/helpers/fake-google-oauth';
import { createOAuthTokenSource, type OAuthRefreshOptions } from './xoauth2-token';
import type { SmtpError } from './smtp-error';

const CLIENT = { clientId: 'client-1.apps.googleusercontent.com', clientSecret: 'GOCSPX-very-secret', refreshToken: '1//0refresh-secret' };

describe('OAuth2 token source', () => {
  let oauth: FakeGoogleOAuth;
  beforeAll(async () => {
    oauth = await startFakeGoogleOAuth(CLIENT);
  });
  afterAll(() => oauth.close());
  const source = (extra: Partial<OAuthRefreshOptions> = {}) => createOAuthTokenSource({ ...CLIENT, tokenUrl: oauth.tokenUrl, ...extra });

  it('fetches once for callers that ask at the same time, and keeps the token', async () => {
    const before = oauth.issued.length;
    const tokens = source();
    const got = await Promise.all([tokens.get(), tokens.get(), tokens.get()]);
    expect(new Set(got).size).toBe(1);
    expect(oauth.acceptsToken(got[0]!)).toBe(true);
    expect(await tokens.get()).toBe(got[0]);
    expect(oauth.issued.length - before).toBe(1);
  });

  it('fetches a new token a minute before expires_in runs out, not earlier', async () => {
    let now = 1_000_000;
    const tokens = source({ now: () => now });
    const first = await tokens.get();
    now += (3599 - 61) * 1000;
    expect(await tokens.get()).toBe(first);
    now += 2000;
    const second = await tokens.get();
    expect(second).not.toBe(first);
  });

  it('refresh(stale) replaces a refused token once, however many connections report it', async () => {
    const tokens = source();
    const stale = await tokens.get();
    const before = oauth.issued.length;
    const fresh = await Promise.all([tokens.refresh(stale), tokens.refresh(stale)]);
    expect(fresh[0]).toBe(fresh[1]);
    expect(fresh[0]).not.toBe(stale);
    // A caller that saw the old token later gets the new one without another request.
    expect(await tokens.refresh(stale)).toBe(fresh[0]);
    expect(oauth.issued.length - before).toBe(1);
  });

  it.each([
    [{ refreshToken: '1//0revoked' }, 'invalid_grant: Token has been expired or revoked.'],
    [{ clientSecret: 'wrong' }, 'invalid_client: The OAuth client was not found.'],
  ])('fails with EAUTH in Google\'s words when the endpoint refuses %j', async (bad, words) => {
    const err = (await source(bad).get().catch((e: unknown) => e)) as SmtpError;
    expect(err.code).toBe('EAUTH');
    expect(err.message).toContain(words);
    expect(JSON.stringify({ ...err, message: err.message })).not.toMatch(/very-secret|refresh-secret|revoked"/);
  });

  it('fails with ECONNECTION (worth a retry) when the endpoint cannot be reached, and tries again next time', async () => {
    const gone = await startFakeGoogleOAuth(CLIENT);
    const url = gone.tokenUrl;
    await gone.close();
    const tokens = createOAuthTokenSource({ ...CLIENT, tokenUrl: url, timeoutMs: 2000 });
    const err = (await tokens.get().catch((e: unknown) => e)) as SmtpError;
    expect(err.code).toBe('ECONNECTION');
    expect(err.message).toContain('could not be reached');
  });
});
