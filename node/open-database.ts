// Opens the libSQL database named by DATABASE_URL from a Node entry file. A `file:` URL
// gets its folder created, so a fresh clone starts with no set-up.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { createDatabase, type Database } from '../shared/db/database';

export interface OpenedDatabase {
  client: Client;
  db: Database;
}

const BUSY_TIMEOUT_MS = 5000;

export async function openDatabase(url: string, authToken?: string): Promise<OpenedDatabase> {
  if (url.startsWith('file:') && !url.includes(':memory:')) {
    mkdirSync(dirname(url.slice('file:'.length).replace(/\?.*$/, '')), { recursive: true });
  }
  // The busy timeout makes writers queue instead of failing with SQLITE_BUSY when two
  // processes share the file. Given as an option, it holds on every connection of the
  // client's pool (a PRAGMA reaches only the connection it runs on). Our code borrows one
  // connection at a time (no interactive transactions), so the PRAGMAs below reach every
  // statement; a connection opened later for a transaction would keep SQLite's defaults:
  // synchronous FULL (slower, as safe) and foreign_keys on (libsql's build default).
  const client = createClient({ url, ...(authToken ? { authToken } : {}), ...(url.startsWith('file:') ? { timeout: BUSY_TIMEOUT_MS } : {}) });
  if (url.startsWith('file:')) {
    // WAL lets the edge read while the sender writes.
    await client.execute('PRAGMA journal_mode = WAL');
    // In WAL mode NORMAL survives any crash of ours; only a power loss may drop the last
    // commits. FULL would fsync on every message's commit.
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute('PRAGMA foreign_keys = ON');
  }
  return { client, db: createDatabase(client) };
}
