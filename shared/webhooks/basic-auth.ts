// HTTP basic auth for relays that do not sign their webhooks (Postmark, SparkPost): the
// marketer puts a user and a long password in the webhook URL, and we compare both.
import { z } from 'zod';
import { constantTimeEqual } from '../tokens';
import type { AuthResult, WebhookRequest, WebhookSource } from './relay-webhook';

export type BasicAuthConfig = { username: string };
export type BasicAuthSecrets = { password: string };

/** The basic-auth pair's schemas, with the relay's name in the messages. */
export function basicAuthSettings(relay: string) {
  return {
    config: z.strictObject({
      username: z
        .string(`username is required: the basic-auth user you put in the ${relay} webhook URL`)
        .trim()
        .min(1, `username is required: the basic-auth user you put in the ${relay} webhook URL`)
        // RFC 7617: the user-id ends at the first colon, so one inside it could never match.
        .refine((name) => !name.includes(':'), 'username must not contain ":" (basic auth splits the pair at the first colon)'),
    }),
    secrets: z.strictObject({
      password: z.string(`password is required: the basic-auth password you put in the ${relay} webhook URL`).min(16, 'password must be at least 16 characters (try: openssl rand -hex 16)'),
    }),
  };
}

/**
 * Finds the source whose basic-auth pair the request carries. Both parts are compared, as
 * SHA-256 digests so that lengths leak nothing, and both comparisons always run: the timing
 * does not tell a prober which part was wrong.
 */
export async function authenticateBasic(request: WebhookRequest, sources: readonly WebhookSource<BasicAuthConfig, BasicAuthSecrets>[]): Promise<AuthResult> {
  const given = basicCredentials(request.headers.get('authorization'));
  if (!given) return { ok: false, reason: 'no basic-auth credentials (an Authorization: Basic header); put user:password in the webhook URL' };
  const [user, password] = await Promise.all([sha256(given.username), sha256(given.password)]);
  for (const source of sources) {
    const [expectedUser, expectedPassword] = await Promise.all([sha256(source.config.username), sha256(source.secrets.password)]);
    const userMatches = constantTimeEqual(user, expectedUser);
    const passwordMatches = constantTimeEqual(password, expectedPassword);
    if (userMatches && passwordMatches) return { ok: true, source };
  }
  return { ok: false, reason: 'the basic-auth pair matches no saved source' };
}

/** The pair of an `Authorization: Basic` header, or null for anything else. */
function basicCredentials(header: string | null): { username: string; password: string } | null {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  if (!match) return null;
  let pair: string;
  try {
    pair = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = pair.indexOf(':');
  return colon < 0 ? null : { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
