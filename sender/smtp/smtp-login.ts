// AUTH (RFC 4954): XOAUTH2 with a token source (Gmail), else PLAIN when offered, else
// LOGIN. Secrets go on the wire base64-encoded and never into an error: errors name the
// mechanism and quote the server.
import type { SmtpExtensions } from './extensions';
import type { SmtpReply } from './reply-reader';
import { smtpError } from './smtp-error';
import type { SmtpSession } from './smtp-session';
import type { AccessTokenSource } from './xoauth2-token';

/** A user and password, or a user and where to get OAuth2 access tokens (XOAUTH2). */
export type SmtpCredentials = { user: string; pass: string } | { user: string; accessToken: AccessTokenSource };

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Refused credentials (5xx) halt the campaign; a 4xx (too many logins, try later) does not. */
function refused(mechanism: string, reply: SmtpReply) {
  const command = `AUTH ${mechanism}`;
  if (reply.code >= 400 && reply.code < 500) return smtpError('ECONNECTION', `the server deferred ${command}`, { reply, command });
  return smtpError('EAUTH', `the server refused ${command}`, { reply, command });
}

/** Logs in on an open session; throws EAUTH when the server refuses. */
export async function login(session: SmtpSession, extensions: SmtpExtensions, credentials: SmtpCredentials): Promise<void> {
  if ('accessToken' in credentials) return loginXoauth2(session, credentials.user, credentials.accessToken);
  const { user, pass } = credentials;
  if (extensions.auth.has('PLAIN')) {
    const reply = await session.command(`AUTH PLAIN ${b64(`\0${user}\0${pass}`)}`, 'AUTH PLAIN');
    if (reply.code !== 235) throw refused('PLAIN', reply);
    return;
  }
  if (extensions.auth.has('LOGIN')) {
    let reply = await session.command('AUTH LOGIN');
    if (reply.code === 334) reply = await session.command(b64(user), 'AUTH LOGIN');
    if (reply.code === 334) reply = await session.command(b64(pass), 'AUTH LOGIN');
    if (reply.code !== 235) throw refused('LOGIN', reply);
    return;
  }
  const offered = [...extensions.auth].join(' ') || 'none';
  throw smtpError('EAUTH', `the server offers no AUTH mechanism we speak (PLAIN or LOGIN); it offers: ${offered}`, { command: 'AUTH' });
}

/**
 * XOAUTH2 (Google's SASL mechanism): the access token, and when the server refuses it, one
 * more try with a freshly fetched one (a token revoked or expired early).
 */
async function loginXoauth2(session: SmtpSession, user: string, tokens: AccessTokenSource): Promise<void> {
  let token = await tokens.get();
  for (let attempt = 1; ; attempt++) {
    let reply = await session.command(`AUTH XOAUTH2 ${b64(`user=${user}\x01auth=Bearer ${token}\x01\x01`)}`, 'AUTH XOAUTH2');
    // A refused token gets a 334 with an error in JSON; an empty line ends the exchange (535).
    if (reply.code === 334) reply = await session.command('', 'AUTH XOAUTH2');
    if (reply.code === 235) return;
    if (attempt > 1 || reply.code < 500) throw refused('XOAUTH2', reply);
    token = await tokens.refresh(token);
  }
}
