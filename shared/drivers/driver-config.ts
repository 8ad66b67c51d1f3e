// The saved settings of each sending driver, as zod schemas: the edge validates them when a
// sending server is saved, and the sender plane parses them again before it connects.
// Adding a driver is one entry in `driverSettings`. Settings are split in two: `config` is
// shown back to the marketer, `secrets` is encrypted at rest and never returned.
import { z } from 'zod';
import { elasticEmailSettings } from './elasticemail-settings';
import { gmailSettings } from './gmail-settings';
import { mailgunSettings } from './mailgun-settings';
import { postmarkSettings } from './postmark-settings';
import { sendgridSettings } from './sendgrid-settings';
import { sesSettings } from './ses-settings';
import { sparkpostSettings } from './sparkpost-settings';

export interface DriverSettings {
  /** One line for the API docs and the dashboard. */
  description: string;
  config: z.ZodType<Record<string, unknown>>;
  secrets: z.ZodType<Record<string, unknown>>;
}

// RFC 1035 host names of two labels or more; selectors are labels joined by dots (RFC 6376 §3.1).
const DOMAIN_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DKIM_SELECTOR = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const PEM_PRIVATE_KEY = /^-----BEGIN (RSA |)PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1PRIVATE KEY-----\s*$/;

/**
 * The shape of a PEM private key, checked here because Web-standard code cannot parse one
 * (WebCrypto refuses PKCS#1); the sender parses it and checks the type and size.
 */
function pemKeyProblem(pem: string): string | null {
  const text = pem.trim();
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    return 'dkimPrivateKey is encrypted; save it without a passphrase (openssl pkey -in key.pem -out plain.pem)';
  }
  if (/-----BEGIN (EC |DSA |)PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text)) {
    return 'dkimPrivateKey is a public key or certificate; paste the private key (the public key goes in DNS)';
  }
  if (/-----BEGIN (EC|DSA|OPENSSH) PRIVATE KEY-----/.test(text)) {
    return 'dkimPrivateKey must be an RSA (2048-bit) or Ed25519 key; EC, DSA and OpenSSH-format keys cannot sign DKIM here';
  }
  if (!PEM_PRIVATE_KEY.test(`${text}\n`)) {
    return 'dkimPrivateKey must be a PEM private key, from "-----BEGIN PRIVATE KEY-----" (or "-----BEGIN RSA PRIVATE KEY-----") to its END line';
  }
  return null;
}

const smtpConfig = z.strictObject({
  host: z.hostname('host must be a host name or IP address, e.g. smtp.example.com'),
  port: z.int('port must be a whole number, e.g. 587').min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535'),
  /**
   * `tls`: TLS from the first byte (usually port 465); `starttls`: upgrade and refuse to go
   * on without TLS (usually 587); `opportunistic`: upgrade when offered; `none`: never
   * upgrade (a relay on loopback or a private network only).
   */
  security: z.enum(['tls', 'starttls', 'opportunistic', 'none']).default('starttls'),
  /** Connections kept open to the relay per sender container. */
  poolSize: z.int().min(1).max(100).optional(),
  /** Sign each message with DKIM; the private key is the secret `dkimPrivateKey`. */
  dkim: z
    .strictObject({
      /** The d= domain: the public key is published at `<keySelector>._domainkey.<domainName>`. */
      domainName: z.string().regex(DOMAIN_NAME, 'dkim.domainName must be a domain name such as example.com'),
      /** The s= selector, e.g. `ep1`. */
      keySelector: z.string().regex(DKIM_SELECTOR, 'dkim.keySelector must be letters, digits, hyphens and dots, e.g. ep1'),
    })
    .optional(),
});

const smtpSecrets = z
  .strictObject({
    user: z.string().min(1, 'user must not be empty'),
    pass: z.string().min(1, 'pass must not be empty'),
    /** PEM private key for DKIM (RSA of 1024+ bits, or Ed25519); the sender parses it when the driver is built. */
    dkimPrivateKey: z.string().superRefine((pem, ctx) => {
      const problem = pemKeyProblem(pem);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  })
  .partial()
  .superRefine((s, ctx) => {
    // Half a login is always a mistake; no login at all is fine for an open relay.
    if (s.user !== undefined && s.pass === undefined) ctx.addIssue({ code: 'custom', path: ['pass'], message: 'pass is required when user is set' });
    if (s.pass !== undefined && s.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'user is required when pass is set' });
  });

export const driverSettings = {
  smtp: {
    description:
      'Any SMTP relay or MTA (host, port, TLS mode; optional login as secrets user and pass; optional DKIM signing: config dkim {domainName, keySelector} with the secret dkimPrivateKey).',
    config: smtpConfig,
    secrets: smtpSecrets,
  },
  gmail: gmailSettings,
  sendgrid: sendgridSettings,
  postmark: postmarkSettings,
  ses: sesSettings,
  mailgun: mailgunSettings,
  sparkpost: sparkpostSettings,
  elasticemail: elasticEmailSettings,
  capture: {
    description: 'Sends nothing: keeps each message in the local capture inbox (GET /api/captured-messages).',
    config: z.strictObject({}),
    secrets: z.strictObject({}),
  },
} satisfies Record<string, DriverSettings>;

export type DriverName = keyof typeof driverSettings;
export type DriverConfig<D extends DriverName> = z.output<(typeof driverSettings)[D]['config']>;
export type DriverSecrets<D extends DriverName> = z.output<(typeof driverSettings)[D]['secrets']>;

export const driverNames = Object.keys(driverSettings) as [DriverName, ...DriverName[]];

export function isDriverName(name: string): name is DriverName {
  return Object.hasOwn(driverSettings, name);
}

export interface SettingsProblem {
  /** Dotted path from the sending server, e.g. `config.port` or `secrets.pass`. */
  path: string;
  message: string;
}

export type SettingsCheck =
  | { ok: true; config: Record<string, unknown>; secrets: Record<string, unknown> }
  | { ok: false; problems: SettingsProblem[] };

/** Validates a driver's config and secrets together, returning them with defaults applied. */
export function checkDriverSettings(driver: string, config: unknown, secrets: unknown): SettingsCheck {
  if (!isDriverName(driver)) {
    return { ok: false, problems: [{ path: 'driver', message: `unknown driver "${driver}"; use one of: ${driverNames.join(', ')}` }] };
  }
  const settings: DriverSettings = driverSettings[driver];
  const parsedConfig = settings.config.safeParse(config);
  const parsedSecrets = settings.secrets.safeParse(secrets ?? {});
  const problems = [
    ...issuesAt('config', parsedConfig.error),
    ...issuesAt('secrets', parsedSecrets.error),
  ];
  if (!parsedConfig.success || !parsedSecrets.success) return { ok: false, problems };
  return { ok: true, config: parsedConfig.data, secrets: parsedSecrets.data };
}

function issuesAt(prefix: string, error: z.ZodError | undefined): SettingsProblem[] {
  return (error?.issues ?? []).map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown setting(s) ${issue.keys.join(', ')}` : issue.message,
  }));
}
