// Browsers a user has signed in from ("remembered devices", as OWASP's device cookies). The
// cookie holds a random token; only its SHA-256 is stored. A sign-in that brings the token
// of a device of the account it names counts its failures against that device alone, so a
// stranger who fails on purpose locks the address for strangers, never for its owner's own
// browsers. Devices end after DEVICE_MAX_AGE_MS, with the user, and when their password
// changes (shared/queries/users.ts).
import { and, desc, eq, gt, lte, notInArray, or, sql } from 'drizzle-orm';
import { encodeBase64Url } from '../base64url';
import type { Database } from '../db/database';
import { signInDevices, users } from '../db/schema';
import { sha256Hex } from '../sha256-hex';
import { normalizeEmail } from './users';

export const DEVICE_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;
/** Browsers remembered per user, the newest kept: a client that keeps no cookies (a script) signs in as a new one every time. */
export const DEVICES_PER_USER = 10;

/**
 * Remembers the browser a user just signed in from; returns its token, the only time it
 * exists in clear. In the same round trip: the device whose cookie this one replaces
 * (`replacedToken`, a browser shared by two accounts) and expired devices are forgotten, and
 * the user keeps their DEVICES_PER_USER newest.
 */
export async function rememberDevice(db: Database, userId: number, replacedToken: string | null = null, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
  const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = now + DEVICE_MAX_AGE_MS;
  const newest = db
    .select({ tokenHash: signInDevices.tokenHash })
    .from(signInDevices)
    .where(eq(signInDevices.userId, userId))
    // rowid breaks ties of the same millisecond: the later insert is the newer device.
    .orderBy(desc(signInDevices.createdAt), sql`rowid desc`)
    .limit(DEVICES_PER_USER);
  await db.batch([
    db.delete(signInDevices).where(or(lte(signInDevices.expiresAt, now), replacedToken ? eq(signInDevices.tokenHash, await sha256Hex(replacedToken)) : undefined)),
    db.insert(signInDevices).values({ tokenHash: await sha256Hex(token), userId, createdAt: now, expiresAt }),
    db.delete(signInDevices).where(and(eq(signInDevices.userId, userId), notInArray(signInDevices.tokenHash, newest))),
  ]);
  return { token, expiresAt };
}

/**
 * The stored hash of `token` when it is a live device of the account `email` names (case
 * and spaces as sign-in takes them), else null: another account's device is no device here.
 */
export async function deviceOf(db: Database, token: string, email: string, now = Date.now()): Promise<string | null> {
  const tokenHash = await sha256Hex(token);
  const [row] = await db
    .select({ tokenHash: signInDevices.tokenHash })
    .from(signInDevices)
    .innerJoin(users, eq(users.id, signInDevices.userId))
    .where(and(eq(signInDevices.tokenHash, tokenHash), gt(signInDevices.expiresAt, now), eq(users.email, normalizeEmail(email))))
    .limit(1);
  return row?.tokenHash ?? null;
}
