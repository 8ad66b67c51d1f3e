// Dashboard users. Changes that could leave the install without an owner are single
// conditional statements, so two admins acting at once cannot both remove the last one.
import { and, eq, gt, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { apiKeys, sessions, signInDevices, users, type UserRole } from '../db/schema';
import { toPage, type Page } from './page';
import { isUniqueViolation } from './unique-violation';

/** A user as the API shows it: never the password hash. */
export interface User {
  id: number;
  email: string;
  name: string;
  role: UserRole;
  lastSignInAt: number | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string;
}

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  lastSignInAt: users.lastSignInAt,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

/** How addresses are kept and looked up: trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// The condition every owner-removing change carries: user `id` is not an enabled owner,
// or another enabled owner exists.
const keepsAnOwner = (id: number) =>
  sql`(${users.role} <> 'owner' or ${users.disabledAt} is not null or exists (select 1 from ${users} as others where others.role = 'owner' and others.disabled_at is null and others.id <> ${id}))`;

/** True while nobody has an account: the first-run setup is open. */
export async function noUsersYet(db: Database): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).limit(1);
  return rows.length === 0;
}

/**
 * Creates the first owner, only if no user exists, in one statement: of two racing
 * setups one gets the user and the other null.
 */
export async function createFirstOwner(db: Database, input: Omit<NewUser, 'role'>): Promise<User | null> {
  const rows = await db.all<User>(sql`
    insert into ${users} (email, name, password_hash, role)
    select ${normalizeEmail(input.email)}, ${input.name}, ${input.passwordHash}, 'owner'
    where not exists (select 1 from ${users})
    returning id, email, name, role, last_sign_in_at as lastSignInAt, disabled_at as disabledAt, created_at as createdAt, updated_at as updatedAt`);
  return rows[0] ?? null;
}

/** Creates a user; null when the address already has an account. */
export async function createUser(db: Database, input: NewUser): Promise<User | null> {
  try {
    const [row] = await db
      .insert(users)
      .values({ ...input, email: normalizeEmail(input.email) })
      .returning(publicColumns);
    return row!;
  } catch (err) {
    if (isUniqueViolation(err, 'users.email')) return null;
    throw err;
  }
}

/** The account for an address, with its password hash, for signing in. */
export async function findUserByEmail(db: Database, email: string) {
  const [row] = await db
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .limit(1);
  return row ?? null;
}

export async function getUser(db: Database, id: number): Promise<User | null> {
  const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

/** The password hash of a user, to check their current password before a change. */
export async function getPasswordHash(db: Database, id: number): Promise<string | null> {
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, id)).limit(1);
  return row?.passwordHash ?? null;
}

/** One page of users in id order. */
export async function listUsers(db: Database, page: { cursor?: number; limit: number }): Promise<Page<User>> {
  const rows = await db
    .select(publicColumns)
    .from(users)
    .where(page.cursor ? gt(users.id, page.cursor) : undefined)
    .orderBy(users.id)
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export interface UserChanges {
  name?: string;
  role?: UserRole;
  disabled?: boolean;
  passwordHash?: string;
}

export type UpdateResult = { user: User } | { error: 'not-found' | 'email-taken' | 'last-owner' };

/**
 * Applies changes in one conditional update; a change that would leave no enabled owner
 * (demoting or disabling the last one) is refused as `last-owner`. Disabling a user or
 * setting their password ends their sessions (a disabled user's sessions stop at once
 * anyway: a session is only honoured for an enabled user), and forgets the browsers they
 * signed in from, which may be an intruder's.
 */
export async function updateUser(db: Database, id: number, changes: UserChanges, now = Date.now()): Promise<UpdateResult> {
  const removesOwner = (changes.role !== undefined && changes.role !== 'owner') || changes.disabled === true;
  const conditions: SQL[] = [eq(users.id, id)];
  if (removesOwner) conditions.push(keepsAnOwner(id));
  const [row] = await db
    .update(users)
    .set({
      updatedAt: now,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.disabled !== undefined ? { disabledAt: changes.disabled ? now : null } : {}),
      ...(changes.passwordHash !== undefined ? { passwordHash: changes.passwordHash } : {}),
    })
    .where(and(...conditions))
    .returning(publicColumns);
  if (!row) return { error: (await getUser(db, id)) ? 'last-owner' : 'not-found' };
  if (changes.disabled === true || changes.passwordHash !== undefined) {
    await db.batch([db.delete(sessions).where(eq(sessions.userId, id)), db.delete(signInDevices).where(eq(signInDevices.userId, id))]);
  }
  return { user: row };
}

/** Deletes a user and their sessions, unless they are the last enabled owner. */
export async function deleteUser(db: Database, id: number): Promise<'deleted' | 'not-found' | 'last-owner'> {
  const deleted = await db.delete(users).where(and(eq(users.id, id), keepsAnOwner(id))).returning({ id: users.id });
  if (deleted.length === 0) return (await getUser(db, id)) ? 'last-owner' : 'not-found';
  // The foreign keys cascade (or set null) where they are enforced; this covers a database where
  // they are not, where a later user could get the id back and seem to own these rows.
  await db.batch([
    db.delete(sessions).where(eq(sessions.userId, id)),
    db.delete(signInDevices).where(eq(signInDevices.userId, id)),
    db.update(apiKeys).set({ createdByUserId: null }).where(eq(apiKeys.createdByUserId, id)),
  ]);
  return 'deleted';
}

/** Notes a successful sign-in, storing a stronger hash of the same password when given one. */
export async function recordSignIn(db: Database, id: number, rehashed?: string, now = Date.now()): Promise<void> {
  await db
    .update(users)
    .set({ lastSignInAt: now, ...(rehashed ? { passwordHash: rehashed } : {}) })
    .where(and(eq(users.id, id), isNull(users.disabledAt)));
}

/** Sets a user's own new password, ends their other sessions (not `keepSessionId`) and forgets the browsers they signed in from. */
export async function changeOwnPassword(db: Database, id: number, passwordHash: string, keepSessionId: number, now = Date.now()): Promise<void> {
  await db.batch([
    db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, id)),
    db.delete(sessions).where(and(eq(sessions.userId, id), ne(sessions.id, keepSessionId))),
    db.delete(signInDevices).where(eq(signInDevices.userId, id)),
  ]);
}
