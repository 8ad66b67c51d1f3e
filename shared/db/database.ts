// The typed database both planes use. Entry files build the libSQL client (the Node
// client, or the web client on Workers) and pass it here.
import type { Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema';

export type Database = LibSQLDatabase<typeof schema>;

export function createDatabase(client: Client): Database {
  takeWriteLockFirst(client);
  return drizzle(client, { schema });
}

const READ_ONLY = /^\s*select\b/i;

/**
 * Batches that write begin IMMEDIATE (the client's `write` mode), taking the write lock
 * before their first statement. A DEFERRED transaction that reads before it writes cannot
 * wait for the lock in WAL mode: when another connection has committed since its read began,
 * SQLite fails it at once with SQLITE_BUSY, which the busy timeout does not cover. Two
 * processes writing one database (the Node edge and a sender container, several senders,
 * the Worker's queue consumer and a sender) then failed writes under load.
 */
function takeWriteLockFirst(client: Client): void {
  const batch = client.batch.bind(client);
  client.batch = function batchLockingFirst(statements, mode) {
    const reads = statements.every((s) => READ_ONLY.test(typeof s === 'string' ? s : Array.isArray(s) ? s[0] : s.sql));
    return batch(statements, mode ?? (reads ? 'deferred' : 'write'));
  };
}
