// Signing outgoing webhooks the Standard Webhooks way (https://www.standardwebhooks.com, the
// scheme Svix and Resend use), so receivers can verify them with any of its libraries:
// `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`
// under a secret shown as `whsec_<base64>`. Several space-separated signatures let a secret
// be rotated without downtime: the old one signs too until the receiver has the new one.

const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes; 32 matches the HMAC-SHA256 block of security. */
const SECRET_BYTES = 32;

const encoder = new TextEncoder();

/** The headers of one delivery attempt. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A fresh signing secret, `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The key bytes of a `whsec_` secret; throws when the text is not one. */
export function webhookSecretKey(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error('A webhook secret is "whsec_" followed by base64.');
  const binary = atob(encoded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** One `v1,<base64>` signature of `<id>.<timestamp>.<body>` under `secret`. */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', webhookSecretKey(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/**
 * The headers for sending `body` as delivery `id` at `timestamp` (Unix seconds), signed with
 * every secret given: the current one first, then any still honoured after a rotation.
 */
export async function standardWebhookHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Promise<StandardWebhookHeaders> {
  if (secrets.length === 0) throw new Error('A webhook needs at least one signing secret.');
  const signatures = await Promise.all(secrets.map((secret) => signWebhook(secret, id, timestamp, body)));
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatures.join(' ') };
}

/** What an endpoint's sealed `secret` column holds: its secret and, after a rotation, the previous one until `previousUntil` (epoch ms). */
export interface WebhookSigningSecrets {
  current: string;
  previous?: string;
  previousUntil?: number;
}

/** Reads decrypted secrets back; throws when they are not an endpoint's. */
export function parseSigningSecrets(values: Record<string, unknown>): WebhookSigningSecrets {
  const { current, previous, previousUntil } = values;
  if (typeof current !== 'string') throw new Error('The sealed webhook secret has no current secret.');
  if (typeof previous === 'string' && typeof previousUntil === 'number') return { current, previous, previousUntil };
  return { current };
}

/** A new secret; the old one goes on signing (a second signature) for `graceMs`, none when 0. */
export function rotateSigningSecrets(secrets: WebhookSigningSecrets, graceMs: number, now: number): WebhookSigningSecrets {
  const current = generateWebhookSecret();
  return graceMs > 0 ? { current, previous: secrets.current, previousUntil: now + graceMs } : { current };
}

/** The secrets to sign with at `now`: the current one, then the previous one while it is honoured. */
export function secretsInUse(secrets: WebhookSigningSecrets, now: number): string[] {
  return secrets.previous && (secrets.previousUntil ?? 0) > now ? [secrets.current, secrets.previous] : [secrets.current];
}
