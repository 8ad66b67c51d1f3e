// Bearer API keys. Keys are high-entropy random strings, so a plain SHA-256 is the right
// hash (a slow KDF is for passwords); only the hash is stored.
import { createMiddleware } from 'hono/factory';
import type { Database } from '../shared/db/database';
import { findActiveApiKey, LAST_USED_RESOLUTION_MS, touchApiKey } from '../shared/queries/api-keys';
import { ApiError } from './api-error';

export function requireApiKey(db: Database) {
  return createMiddleware(async function apiKeyAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'UNAUTHORIZED', 'Send your API key as "Authorization: Bearer <key>" (create one with: npm run cli -- api-key create --name NAME).');
    const key = await findActiveApiKey(db, match[1]!);
    if (!key) throw new ApiError(401, 'UNAUTHORIZED', 'This API key is unknown or revoked.');
    if (key.lastUsedAt === null || key.lastUsedAt < Date.now() - LAST_USED_RESOLUTION_MS) {
      c.executionCtx.waitUntil(touchApiKey(db, key.id));
    }
    await next();
  });
}
