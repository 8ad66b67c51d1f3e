// The typed database both planes use. Entry files build the libSQL client (the Node
// client, or the web client on Workers) and pass it here.
import type { Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema';

export type Database = LibSQLDatabase<typeof schema>;

export function createDatabase(client: Client): Database {
  return drizzle(client, { schema });
}
