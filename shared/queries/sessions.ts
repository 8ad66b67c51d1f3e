// Dashboard sessions. The cookie holds a random token; only its SHA-256 is stored, so a
// copy of the database signs nobody in. A session ends after SESSION_IDLE_MS without use,
// SESSION_MAX_AGE_MS after sign-in whatever the use, on sign-out, and at once when its
// user is disabled or deleted (every lookup joins the user).
import { and, eq, gt, lt, or } from 'drizzle-orm';
import { encodeBase64Url } from '../base64url';
import type { Database } from '../db/database';
import { sessions, users, type UserRole } from '../db/schema';
import { sha256Hex } from '../sha256-hex';

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** How stale `last_seen_at` may get: one write a minute per session, not one per request. */
export const SESSION_TOUCH_MS = 60_000;

const MAX_USER_AGENT = 300;

export interface SessionUser {
  sessionId: number;
  userId: number;
  email: string;
  name: string;
  role: UserRole;
  lastSeenAt: number;
  expiresAt: number;
}

/** Starts a session for a user and returns its token, the only time it exists in clear. */
export async function createSession(db: Database, userId: number, userAgent: string | undefined, now = Date.now()) {
  const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = now + SESSION_MAX_AGE_MS;
  const [row] = await db
    .insert(sessions)
    .values({ tokenHash: await sha256Hex(token), userId, userAgent: userAgent?.slice(0, MAX_USER_AGENT) ?? null, createdAt: now, lastSeenAt: now, expiresAt })
    .returning({ id: sessions.id });
  return { id: row!.id, token, expiresAt };
}

/** The live session for a token and its enabled user, or null. */
export async function findSession(db: Database, token: string, now = Date.now()): Promise<SessionUser | null> {
  const [row] = await db
    .select({
      sessionId: sessions.id,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, await sha256Hex(token)), gt(sessions.expiresAt, now), gt(sessions.lastSeenAt, now - SESSION_IDLE_MS)))
    .limit(1);
  if (!row || row.disabledAt !== null) return null;
  const { disabledAt: _, ...session } = row;
  return session;
}

/** Keeps a session from going idle; writes at most once per SESSION_TOUCH_MS. */
export async function touchSession(db: Database, id: number, now = Date.now()): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, id), lt(sessions.lastSeenAt, now - SESSION_TOUCH_MS)));
}

/** Ends one session (sign-out). */
export async function deleteSession(db: Database, id: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Forgets sessions that can no longer be used, so the table holds only live ones. */
export async function deleteDeadSessions(db: Database, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, now - SESSION_IDLE_MS)));
}
