// Gmail and Google Workspace over SMTP: the smtp driver's pooled client, logged in with an
// app password or with OAuth2 (XOAUTH2; sender/smtp/xoauth2-token.ts trades the refresh
// token for access tokens and renews them). Google signs DKIM for its own domains and for
// Workspace domains that set it up, and rewrites From to the signed-in user unless it is an alias.
import type { GmailConfig, GmailSecrets } from '../../shared/drivers/gmail-settings';
import { SendError } from '../send-error';
import type { ConfigProblem, Driver, DriverCapabilities, OutgoingMessage } from './driver';
import type { SmtpCredentials } from '../smtp/smtp-login';
import { createOAuthTokenSource } from '../smtp/xoauth2-token';
import { createPooledSmtpDriver } from './smtp';

export interface GmailDriverOptions {
  config: GmailConfig;
  secrets: GmailSecrets;
}

const capabilities: DriverCapabilities = {
  input: 'raw',
  batchSize: 1,
  tracksDelivery: false,
  signsDkim: true,
  deliveryStatus: false,
};

// Gmail's "250 2.0.0 OK  1732761600 a1-20020a05600c...gsmtp": the last word before gsmtp
// is the id Google logs the message under.
const GMAIL_ID = /\s([A-Za-z0-9._-]+)\s+-\s+gsmtp\s*$/;
// Gmail answers a spent daily quota with 550 5.4.5 (or 421 4.7.0 / 454 4.7.0 for too many
// logins or messages): the account is throttled, the recipient is fine.
const QUOTA = /\b5\.4\.5\b|sending (limit|quota) exceeded/i;
const QUOTA_WAIT_MS = 60 * 60 * 1000;

/** The app password, or access tokens from the refresh token, shared by the pool's connections. */
function credentialsOf(secrets: GmailSecrets, tokenUrl: string | undefined): SmtpCredentials {
  // The settings schema guarantees user, and either appPassword or all three OAuth2 fields.
  const user = secrets.user!;
  if (secrets.appPassword !== undefined) return { user, pass: secrets.appPassword };
  const accessToken = createOAuthTokenSource({
    clientId: secrets.clientId!,
    clientSecret: secrets.clientSecret!,
    refreshToken: secrets.refreshToken!,
    ...(tokenUrl ? { tokenUrl } : {}),
  });
  return { user, accessToken };
}

function explainVerifyError(config: GmailConfig, secrets: GmailSecrets) {
  return function explain(err: { code?: string; message?: string }): ConfigProblem {
    const detail = err.message ?? String(err);
    if (err.code !== 'EAUTH') return { path: 'config.host', message: `${config.host}:${config.port} could not be reached: ${detail}` };
    if (secrets.appPassword !== undefined) {
      return { path: 'secrets.appPassword', message: `Gmail refused the app password for ${secrets.user} (${detail}): create a new one with 2-Step Verification on` };
    }
    return { path: 'secrets.refreshToken', message: `Gmail refused OAuth2 for ${secrets.user} (${detail}): check clientId, clientSecret and that the refresh token has the https://mail.google.com/ scope` };
  };
}

/** Builds the Gmail driver over the pooled SMTP driver every SMTP relay shares. */
export function createGmailDriver({ config, secrets }: GmailDriverOptions): Driver {
  const smtp = createPooledSmtpDriver({
    name: 'gmail',
    pool: {
      host: config.host,
      port: config.port,
      security: config.security,
      maxConnections: config.poolSize ?? 3,
      credentials: credentialsOf(secrets, config.tokenUrl),
    },
    explainVerifyError: explainVerifyError(config, secrets),
  });

  return {
    ...smtp,
    async send(message: OutgoingMessage) {
      try {
        const result = await smtp.send(message);
        return { ...result, providerMessageId: GMAIL_ID.exec(result.response)?.[1] ?? result.providerMessageId };
      } catch (err) {
        const e = err as { response?: unknown; responseCode?: unknown };
        const response = String(e.response ?? '');
        if (e.responseCode === 550 && QUOTA.test(response)) {
          // Presented as the throttle reply it means, so the queue slows this server down
          // instead of failing each message of the campaign as a bounce.
          throw new SendError('ERATELIMIT', `Gmail's sending limit for ${secrets.user} is reached: ${response}`, 421, 'smtp', QUOTA_WAIT_MS);
        }
        throw err;
      }
    },
    getCapabilities: () => capabilities,
  };
}
