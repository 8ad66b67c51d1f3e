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

export async function openDatabase(url: string, authToken?: string): Promise<OpenedDatabase> {
  if (url.startsWith('file:') && !url.includes(':memory:')) {
    mkdirSync(dirname(url.slice('file:'.length).replace(/\?.*$/, '')), { recursive: true });
  }
  const client = createClient({ url, ...(authToken ? { authToken } : {}) });
  if (url.startsWith('file:')) {
    // WAL lets the edge read while the sender writes; busy_timeout makes writers queue
    // instead of failing with SQLITE_BUSY when two processes share the file.
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA busy_timeout = 5000');
    // In WAL mode NORMAL survives any crash of ours; only a power loss may drop the last
    // commits. FULL would fsync on every message's commit.
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute('PRAGMA foreign_keys = ON');
  }
  return { client, db: createDatabase(client) };
}
