// Failed sign-ins per key, kept in the database so that every isolate and process shares
// the count. A key is an address (hashed: people type passwords into the email field) and
// a client network, or, for a browser that has signed in to the account before, that
// browser alone (shared/queries/sign-in-devices.ts). Each failure is one upsert, so
// concurrent failures all count.
import { and, eq, gt, inArray, isNull, lte, max, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { signInAttempts } from '../db/schema';
import { sha256Hex } from '../sha256-hex';

export interface SignInLimit {
  /** Failures within `windowMs` that lock the key. */
  maxFailures: number;
  windowMs: number;
  /** How long a locked key refuses every sign-in, right password or not. */
  lockMs: number;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** Per address: guessing one account's password. */
export const ADDRESS_LIMIT: SignInLimit = { maxFailures: 5, windowMs: FIFTEEN_MINUTES, lockMs: FIFTEEN_MINUTES };
/** Per client network: trying many accounts from one place; higher, since an office shares one. */
export const NETWORK_LIMIT: SignInLimit = { maxFailures: 20, windowMs: FIFTEEN_MINUTES, lockMs: FIFTEEN_MINUTES };

export interface AttemptKey {
  key: string;
  limit: SignInLimit;
}

/** The keys a sign-in for `email` from `network` counts against. */
export async function attemptKeys(email: string, network: string): Promise<{ address: AttemptKey; network: AttemptKey }> {
  return {
    address: { key: `address:${await sha256Hex(email.trim().toLowerCase())}`, limit: ADDRESS_LIMIT },
    network: { key: `network:${network}`, limit: NETWORK_LIMIT },
  };
}

/** The key of a sign-in from a remembered browser (its stored token hash): the address's limit, for that browser alone. */
export function deviceKey(tokenHash: string): AttemptKey {
  return { key: `device:${tokenHash}`, limit: ADDRESS_LIMIT };
}

/** Until when (epoch ms) the most locked of `keys` refuses sign-ins, or null when none is locked. */
export async function lockedUntil(db: Database, keys: AttemptKey[], now = Date.now()): Promise<number | null> {
  const [row] = await db
    .select({ until: max(signInAttempts.lockedUntil) })
    .from(signInAttempts)
    .where(and(inArray(signInAttempts.key, keys.map((k) => k.key)), gt(signInAttempts.lockedUntil, now)));
  return row?.until ?? null;
}

/** Forgets stale keys, then counts one failure against each key, locking those that reach their limit. */
export async function recordFailure(db: Database, keys: AttemptKey[], now = Date.now()): Promise<void> {
  const longestWindow = Math.max(...keys.map((k) => k.limit.windowMs));
  await db.batch([
    // Addresses typed once and never again would otherwise stay forever.
    db
      .delete(signInAttempts)
      .where(and(lte(signInAttempts.windowStartedAt, now - longestWindow), or(isNull(signInAttempts.lockedUntil), lte(signInAttempts.lockedUntil, now)))),
    ...keys.map(({ key, limit }) => {
      const windowOver = sql`${signInAttempts.windowStartedAt} <= ${now - limit.windowMs}`;
      const failures = sql`case when ${windowOver} then 1 else ${signInAttempts.failures} + 1 end`;
      return db
        .insert(signInAttempts)
        .values({ key, failures: 1, windowStartedAt: now, lockedUntil: limit.maxFailures <= 1 ? now + limit.lockMs : null })
        .onConflictDoUpdate({
          target: signInAttempts.key,
          // Every expression here reads the row as it was before this failure.
          set: {
            failures,
            windowStartedAt: sql`case when ${windowOver} then ${now} else ${signInAttempts.windowStartedAt} end`,
            lockedUntil: sql`case when ${failures} >= ${limit.maxFailures} then ${now + limit.lockMs} else ${signInAttempts.lockedUntil} end`,
          },
        });
    }),
  ]);
}

/** Forgets the failures of a key, after its owner signed in. */
export async function clearFailures(db: Database, key: AttemptKey): Promise<void> {
  await db.delete(signInAttempts).where(eq(signInAttempts.key, key.key));
}
