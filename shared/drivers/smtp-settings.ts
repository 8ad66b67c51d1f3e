// Settings of the `smtp` driver: any relay or MTA, an optional login, and optional DKIM
// signing (config `dkim` with the secret `dkimPrivateKey`).
import { z } from 'zod';
import type { DriverSettings, SettingsProblem } from './driver-config';

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
  /** `off` for a relay that offers PIPELINING (RFC 2920) and mishandles it; `on` (the default) uses it when offered. */
  pipelining: z.enum(['on', 'off'], 'pipelining must be "on" or "off"').optional(),
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

export const smtpSettings = {
  description:
    'Any SMTP relay or MTA (host, port, TLS mode; optional login as secrets user and pass; optional DKIM signing: config dkim {domainName, keySelector} with the secret dkimPrivateKey).',
  config: smtpConfig,
  secrets: smtpSecrets,
  check(config: z.output<typeof smtpConfig>, secrets: z.output<typeof smtpSecrets>): SettingsProblem[] {
    if (config.dkim && !secrets.dkimPrivateKey) return [{ path: 'secrets.dkimPrivateKey', message: 'dkimPrivateKey is required when config.dkim is set' }];
    if (!config.dkim && secrets.dkimPrivateKey) return [{ path: 'config.dkim', message: 'config.dkim (domainName and keySelector) is required to sign with dkimPrivateKey' }];
    return [];
  },
} satisfies DriverSettings;
