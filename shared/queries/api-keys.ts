// API keys: `ep_` + 32 random bytes in base64url. Only the SHA-256 hash is stored, with who
// created the key (a user, another key, or nobody: the command line).
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { encodeBase64Url } from '../base64url';
import type { Database } from '../db/database';
import { apiKeys, users } from '../db/schema';
import { sha256Hex } from '../sha256-hex';

/** Who asked for a key: a signed-in user or another key; none from the command line. */
export type ApiKeyCreator = { userId: number } | { apiKeyId: number } | null;

/** Creates a key and returns it in full; this is the only time it can be seen. */
export async function createApiKey(db: Database, name: string, creator: ApiKeyCreator = null): Promise<{ id: number; key: string }> {
  const key = `ep_${encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const [row] = await db
    .insert(apiKeys)
    .values({
      name,
      prefix: key.slice(0, 10),
      hash: await sha256Hex(key),
      createdByUserId: creator && 'userId' in creator ? creator.userId : null,
      createdByApiKeyId: creator && 'apiKeyId' in creator ? creator.apiKeyId : null,
    })
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

const creatorKeys = alias(apiKeys, 'creator_keys');

/** Every key (or the one `id` names), newest first, with its creator's name, without anything that would let one be used. */
export async function listApiKeys(db: Database, id?: number) {
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      userId: users.id,
      userName: users.name,
      userEmail: users.email,
      keyId: creatorKeys.id,
      keyName: creatorKeys.name,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .leftJoin(creatorKeys, eq(creatorKeys.id, apiKeys.createdByApiKeyId))
    .where(id === undefined ? undefined : eq(apiKeys.id, id))
    .orderBy(desc(apiKeys.id));
  return rows.map(({ userId, userName, userEmail, keyId, keyName, ...key }) => ({
    ...key,
    createdBy:
      userId !== null
        ? { kind: 'user' as const, id: userId, name: userName || userEmail! }
        : keyId !== null
          ? { kind: 'apiKey' as const, id: keyId, name: keyName! }
          : null,
  }));
}

/** Renames a key (revoked ones too: the name is what tells them apart); false when there is no such key. */
export async function renameApiKey(db: Database, id: number, name: string): Promise<boolean> {
  const rows = await db.update(apiKeys).set({ name }).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id });
  return rows.length === 1;
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
