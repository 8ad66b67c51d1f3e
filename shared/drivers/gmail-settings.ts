// Settings of the `gmail` driver: Gmail or Google Workspace over SMTP, with an app password
// or OAuth2 (XOAUTH2, from a refresh token). Host, port and the token URL can be pointed
// elsewhere for tests and proxies; plain SMTP and http are allowed on loopback only.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const gmailConfig = z
  .strictObject({
    host: z.hostname('host must be a host name, e.g. smtp.gmail.com').default('smtp.gmail.com'),
    /** `tls`: TLS from the first byte (port 465); `starttls`: upgrade on 587; `none`: loopback tests only. */
    security: z.enum(['tls', 'starttls', 'none'], 'security must be tls (port 465) or starttls (port 587)').default('tls'),
    /** Defaults to 465 for `tls` and 587 for `starttls`. */
    port: z.int('port must be a whole number, e.g. 465').min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535').optional(),
    /** Google's OAuth2 token endpoint unless overridden (https; http only on loopback). */
    tokenUrl: z.url({ protocol: /^https?$/, error: 'tokenUrl must be an https URL' }).optional(),
    /** Connections kept open to Gmail per sender container: Google allows few at once. */
    poolSize: z.int('poolSize must be a whole number').min(1, 'poolSize must be 1-10').max(10, 'poolSize must be 1-10').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.security === 'none' && !LOOPBACK.has(c.host)) {
      ctx.addIssue({ code: 'custom', path: ['security'], message: 'security "none" is only for a relay on 127.0.0.1 or localhost: Gmail needs tls or starttls' });
    }
    if (c.tokenUrl?.startsWith('http:') && !LOOPBACK.has(new URL(c.tokenUrl).hostname)) {
      ctx.addIssue({ code: 'custom', path: ['tokenUrl'], message: 'tokenUrl must use https (http only for 127.0.0.1 or localhost)' });
    }
  })
  .transform((c) => ({ ...c, port: c.port ?? (c.security === 'starttls' ? 587 : 465) }));

const nonEmpty = (name: string) => z.string(`${name} must be a string`).trim().min(1, `${name} must not be empty`);
const OAUTH_FIELDS = ['clientId', 'clientSecret', 'refreshToken'] as const;

const gmailSecrets = z
  .strictObject({
    user: z.email('user must be the Gmail or Workspace address that signs in, e.g. news@shop.example'),
    /** The 16-letter app password Google shows (its spaces are dropped). */
    appPassword: z
      .string('appPassword must be a string')
      .transform((s) => s.replace(/\s+/g, ''))
      .pipe(z.string().regex(/^[a-z]{16}$/i, 'appPassword must be the 16-letter app password Google shows (Google account > Security > App passwords), not the account password')),
    clientId: nonEmpty('clientId'),
    clientSecret: nonEmpty('clientSecret'),
    refreshToken: nonEmpty('refreshToken'),
  })
  .partial()
  .superRefine((s, ctx) => {
    if (s.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'user is required: the address that signs in to Gmail' });
    const oauth = OAUTH_FIELDS.filter((f) => s[f] !== undefined);
    if (s.appPassword !== undefined && oauth.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['appPassword'], message: 'give either appPassword or OAuth2 (clientId, clientSecret, refreshToken), not both' });
    } else if (s.appPassword === undefined && oauth.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['appPassword'], message: 'give appPassword, or clientId, clientSecret and refreshToken for OAuth2' });
    } else if (oauth.length > 0) {
      for (const f of OAUTH_FIELDS) {
        if (s[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: `${f} is required for OAuth2 (with ${OAUTH_FIELDS.filter((o) => o !== f).join(' and ')})` });
      }
    }
  });

export const gmailSettings = {
  description: 'Gmail or Google Workspace over SMTP: secrets user with appPassword, or user with OAuth2 clientId, clientSecret and refreshToken.',
  config: gmailConfig,
  secrets: gmailSecrets,
} satisfies DriverSettings;

export type GmailConfig = z.output<typeof gmailConfig>;
export type GmailSecrets = z.output<typeof gmailSecrets>;
