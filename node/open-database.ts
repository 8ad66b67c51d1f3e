// Opens the libSQL database named by DATABASE_URL from a Node entry file. A `file:` URL
// gets its folder created, so a fresh clone starts with no set-up.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import LibsqlDatabase from 'libsql';
import { createDatabase, type Database } from '../shared/db/database';

export interface OpenedDatabase {
  client: Client;
  db: Database;
}

const BUSY_TIMEOUT_MS = 5000;

/** Prepared statements kept per connection, least recently used dropped first: more than the app's hot statements. */
const KEPT_STATEMENTS = 256;
// Symbol.for: a module loaded twice (test runners) must find the same marks on the shared binding.
const KEPT = Symbol.for('edgepost.keptStatements');
const INSTALLED = Symbol.for('edgepost.keepsStatements');

interface Kept {
  /** The schema those statements were compiled against (PRAGMA schema_version). */
  schema: unknown;
  schemaVersion: LibsqlDatabase.Statement;
  statements: Map<string, LibsqlDatabase.Statement>;
}
type Connection = LibsqlDatabase.Database & { [KEPT]?: Kept };

/**
 * Makes every connection of the embedded libSQL binding keep its prepared statements by SQL
 * text. `@libsql/client` prepares each statement anew on every call, and compiling costs more
 * than running for our batch writes (the event rollup's INSERT: about 2 ms to compile, every
 * batch; bench/event-ingest.ts). The client runs each statement to completion before it
 * returns, one call at a time per connection, so a kept statement is never in use when it is
 * handed out again. SQLite recompiles a statement by itself when the schema has changed, but
 * only once it runs, and the client reads a statement's columns before that: so the kept
 * statements are dropped when the schema version moves (any connection's migration or DDL).
 * Over HTTP to Turso the server compiles, so this is for `file:` databases only.
 */
function keepPreparedStatements(): void {
  const proto = LibsqlDatabase.prototype as Connection & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  const prepare = proto.prepare;
  const close = proto.close;
  proto.prepare = function preparedOnce(this: Connection, source: string) {
    const kept = (this[KEPT] ??= { schema: null, schemaVersion: prepare.call(this, 'PRAGMA schema_version').raw(true), statements: new Map() });
    const [schema] = kept.schemaVersion.get() as unknown[];
    if (schema !== kept.schema) {
      kept.statements.clear();
      kept.schema = schema;
    }
    let statement = kept.statements.get(source);
    if (statement) {
      kept.statements.delete(source);
    } else {
      statement = prepare.call(this, source);
      if (kept.statements.size >= KEPT_STATEMENTS) kept.statements.delete(kept.statements.keys().next().value!);
    }
    kept.statements.set(source, statement);
    return statement;
  } as Connection['prepare'];
  proto.close = function closeKept(this: Connection) {
    this[KEPT]?.statements.clear();
    return close.call(this);
  };
  Object.defineProperty(proto, INSTALLED, { value: true });
}

export async function openDatabase(url: string, authToken?: string): Promise<OpenedDatabase> {
  if (url.startsWith('file:') && !url.includes(':memory:')) {
    mkdirSync(dirname(url.slice('file:'.length).replace(/\?.*$/, '')), { recursive: true });
  }
  // The busy timeout makes writers queue instead of failing with SQLITE_BUSY when two
  // processes share the file. One connection per client (`concurrency: 1`): the client
  // opens another whenever two calls overlap, and a PRAGMA reaches only the connection it
  // runs on, so the others kept SQLite's synchronous FULL, an fsync on the event loop at
  // every commit (about 4 ms each here). Every call runs synchronously on the connection it
  // borrows and we hold none across an await (no interactive transactions), so one is all
  // the work needs: the send pipeline went from 8.8 to 7.6 ms of CPU per message and from
  // 58–92 to 112–147 messages/s (bench/send-pipeline.ts with RSA DKIM, 1,500 messages).
  if (url.startsWith('file:')) keepPreparedStatements();
  const client = createClient({ url, ...(authToken ? { authToken } : {}), ...(url.startsWith('file:') ? { timeout: BUSY_TIMEOUT_MS, concurrency: 1 } : {}) });
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
