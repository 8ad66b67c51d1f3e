// API keys: `ep_` + 32 random bytes in base64url. Only the SHA-256 hash is stored.
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { encodeBase64Url } from '../base64url';
import type { Database } from '../db/database';
import { apiKeys } from '../db/schema';

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Creates a key and returns it in full; this is the only time it can be seen. */
export async function createApiKey(db: Database, name: string): Promise<{ id: number; key: string }> {
  const key = `ep_${encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ name, prefix: key.slice(0, 10), hash: await sha256Hex(key) })
    .returning({ id: apiKeys.id });
  return { id: row!.id, key };
}

export async function findActiveApiKey(db: Database, key: string) {
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, await sha256Hex(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** How stale `last_used_at` may get: one write a minute per key, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Notes that a key was used, at most once per LAST_USED_RESOLUTION_MS. */
export async function touchApiKey(db: Database, id: number): Promise<void> {
  const now = Date.now();
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - LAST_USED_RESOLUTION_MS))));
}

/** Every key, newest first, without anything that would let one be used. */
export async function listApiKeys(db: Database) {
  return db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .orderBy(desc(apiKeys.id));
}

/** Revokes a key; false when there is no such key or it was already revoked. */
export async function revokeApiKey(db: Database, id: number): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length === 1;
}
