// Configuration from environment variables, parsed and validated once at start-up.
// Works on a Worker's `env` and on `process.env` alike.
import { z } from 'zod';
import { PREVIOUS_KEY_TOO_SHORT, SECRET_KEY_MIN_LENGTH, SECRET_KEY_TOO_SHORT, splitPreviousKeys } from './secret-key-config';

const url = (name: string, protocols: string[]) =>
  z
    .string()
    .refine((v) => protocols.some((p) => v.startsWith(p)), `${name} must start with ${protocols.join(' or ')}`);

const edgeShape = {
  /** libSQL URL: `file:` for a local file, `libsql://`/`https://` for Turso or a libSQL server. */
  DATABASE_URL: url('DATABASE_URL', ['file:', 'libsql:', 'http:', 'https:', 'ws:', 'wss:']).default('file:data/edgepost.db'),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  /** Base of tracking and unsubscribe links, as recipients reach the edge. */
  PUBLIC_URL: url('PUBLIC_URL', ['http://', 'https://'])
    // It is written into every link of every message: only characters that need no
    // escaping in a URL or an HTML attribute, and no query or fragment to append to.
    .refine((v) => /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/.test(v), 'PUBLIC_URL must be a plain http(s) URL: a host, an optional port and path, no query, fragment, quotes or spaces (e.g. https://t.example.com)')
    .transform((v) => v.replace(/\/+$/, ''))
    .default('http://localhost:8787'),
  /** Root secret every signing and encryption key is derived from. */
  SECRET_KEY: z.string().min(SECRET_KEY_MIN_LENGTH, SECRET_KEY_TOO_SHORT),
  /** Retired root secrets, comma-separated: links and secrets made under them still open (see "Rotating SECRET_KEY"). */
  SECRET_KEY_PREVIOUS: z.string().optional().transform(splitPreviousKeys).pipe(z.array(z.string().min(SECRET_KEY_MIN_LENGTH, PREVIOUS_KEY_TOO_SHORT))),
};

export const edgeConfigSchema = z.object({
  ...edgeShape,
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  /** Interface the Node host listens on: loopback by default; 0.0.0.0 to serve the network (e.g. in a container). */
  HOST: z.string().min(1).default('127.0.0.1'),
});

export const senderConfigSchema = z.object({
  ...edgeShape,
  REDIS_URL: url('REDIS_URL', ['redis://', 'rediss://']).default('redis://127.0.0.1:6379'),
  /** Envelope sender base for VERP; bounces come back to `<local>+<id>-<mac>@<domain>`. */
  BOUNCE_ADDRESS: z.email('BOUNCE_ADDRESS must be an email address').optional(),
  /** Messages a sender container sends at once. */
  SENDER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  /** Names this container in campaign claims (a per-boot suffix is added); defaults to the host name. */
  SENDER_ID: z.string().min(1).optional(),
  /** Seconds a claimed campaign stays ours without a heartbeat; another container takes it after. */
  SENDER_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(30),
  /** Seconds before a job whose worker died is handed to another worker (BullMQ lock). */
  SENDER_JOB_LOCK_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** First retry delay after a temporary failure; each later retry doubles it, with jitter. */
  SENDER_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(3600).default(30),
  /** Attempts per message before a temporary failure becomes final. */
  SENDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Share of refused messages, among a campaign's last SENDER_PAUSE_WINDOW outcomes, that pauses it; 1 never pauses. */
  SENDER_PAUSE_FAILURE_SHARE: z.coerce.number().min(0.01).max(1).default(0.1),
  SENDER_PAUSE_WINDOW: z.coerce.number().int().min(10).max(100_000).default(200),
  /** Seconds every sender skips a server of a several-server campaign after it stopped answering. */
  SENDER_SERVER_COOLOFF_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Where the bounce inbox (SMTP, for DSN and ARF mail to BOUNCE_ADDRESS) listens; it runs when BOUNCE_ADDRESS is set. */
  BOUNCE_INBOX_HOST: z.string().min(1).default('127.0.0.1'),
  BOUNCE_INBOX_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  /** The largest message the bounce inbox accepts (a DSN quoting a whole newsletter is still small). */
  BOUNCE_INBOX_MAX_BYTES: z.coerce.number().int().min(10_000).max(100_000_000).default(10_000_000),
  /** Seconds an outgoing webhook endpoint has to answer before the attempt counts as failed. */
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10),
  /** Attempts per outgoing webhook delivery (with exponential backoff) before it is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  /** Days a settled outgoing webhook delivery (delivered or failed) stays in the log before the sender deletes it. */
  WEBHOOK_LOG_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** `true` lets outgoing webhooks call private and local addresses (an endpoint on the sender's own network); off by default. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false'], { error: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false' }).default('false').transform((v) => v === 'true'),
  /** Prefix of every Redis key, so several installs can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9:_-]+$/i, 'QUEUE_PREFIX may hold letters, digits, ":", "_" and "-"').default('edgepost'),
});

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
export type SenderConfig = z.infer<typeof senderConfigSchema>;

/** Parses `env` or throws one error that lists every variable to fix. */
export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
}
