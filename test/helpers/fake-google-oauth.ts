// A local stand-in for Google's OAuth2 token endpoint (POST /token with grant_type
// refresh_token, form-encoded), issuing access tokens the SMTP sink then accepts for
// XOAUTH2. It answers errors in RFC 6749's shape, as Google does.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGoogleOAuth {
  /** The token URL to give the driver as `tokenUrl`. */
  tokenUrl: string;
  /** Access tokens issued so far, newest last. */
  issued: string[];
  /** Whether this endpoint issued the token. */
  acceptsToken(accessToken: string): boolean;
  close(): Promise<void>;
}

export interface FakeGoogleOAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

function reply(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the token endpoint on 127.0.0.1 and a free port. */
export async function startFakeGoogleOAuth(expected: FakeGoogleOAuthOptions): Promise<FakeGoogleOAuth> {
  const live = new Set<string>();
  const issued: string[] = [];
  const server = createServer(async function handleToken(req, res) {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== '/token') return reply(res, 404, { error: 'not_found' });
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return reply(res, 400, { error: 'invalid_request', error_description: 'Bad Request' });
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'refresh_token') return reply(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + form.get('grant_type') });
    if (form.get('client_id') !== expected.clientId || form.get('client_secret') !== expected.clientSecret) {
      return reply(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.get('refresh_token') !== expected.refreshToken) return reply(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    live.add(token);
    issued.push(token);
    reply(res, 200, { access_token: token, expires_in: 3599, scope: 'https://mail.google.com/', token_type: 'Bearer' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    issued,
    acceptsToken: (token) => live.has(token),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
