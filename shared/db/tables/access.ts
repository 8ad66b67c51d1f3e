// Who may use the API and the dashboard: API keys, users, sessions and sign-in attempts.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { now } from './columns';

export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  /** The first characters of the key, shown so a marketer can tell keys apart. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  hash: text('hash').notNull().unique(),
  createdAt: integer('created_at').notNull().default(now),
  /** Who created it: a signed-in user, or another key (both null: the command line, or a user since deleted). */
  createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
  createdByApiKeyId: integer('created_by_api_key_id'),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
});

export const userRoles = ['owner', 'admin', 'editor', 'viewer'] as const;
export type UserRole = (typeof userRoles)[number];

/** People who sign in to the dashboard. The first one (the owner) is created by the first-run setup. */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey(),
  /** Stored lower-cased and trimmed. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** A slow-KDF hash with its parameters and salt (format in shared/passwords.ts); never the password. */
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: userRoles }).notNull(),
  lastSignInAt: integer('last_sign_in_at'),
  /** A disabled user cannot sign in and their sessions stop working. */
  disabledAt: integer('disabled_at'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

/** Dashboard sessions: the cookie holds a random token; only its SHA-256 is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: integer('created_at').notNull().default(now),
    lastSeenAt: integer('last_seen_at').notNull().default(now),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId), index('sessions_expires').on(t.expiresAt)],
);

/**
 * Browsers that have signed in as a user (the `edgepost_device` cookie holds the token; only
 * its SHA-256 is kept). A sign-in from one counts its failures against the device alone, so
 * someone who knows an address cannot lock its owner out by failing on purpose.
 */
export const signInDevices = sqliteTable(
  'sign_in_devices',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull().default(now),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sign_in_devices_user').on(t.userId), index('sign_in_devices_expires').on(t.expiresAt)],
);

/** Failed sign-ins per key (an address, or a client network), for rate limiting across isolates. */
export const signInAttempts = sqliteTable('sign_in_attempts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: integer('window_started_at').notNull(),
  lockedUntil: integer('locked_until'),
});
