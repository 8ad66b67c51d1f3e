// What commands that touch only the database share: their slice of the configuration, and
// opening the database for one command, with a clear word when it was never migrated.
import { openDatabase } from '../node/open-database';
import { edgeConfigSchema } from '../shared/config';
import type { Database } from '../shared/db/database';
import { commandConfig, type CommandIo } from './command';

export const databaseConfigSchema = edgeConfigSchema.pick({ DATABASE_URL: true, DATABASE_AUTH_TOKEN: true });

/** Opens the configured database, runs `work` on it and closes it; its exit code, or 1 for a database never migrated. */
export async function withDatabase(io: CommandIo, work: (db: Database) => Promise<number>): Promise<number> {
  const config = commandConfig(databaseConfigSchema, io);
  const { client, db } = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  try {
    return await work(db);
  } catch (err) {
    if (/no such table/i.test(String((err as Error).cause ?? err))) {
      io.err('The database has no tables yet: run `npm run cli -- migrate` first.');
      return 1;
    }
    throw err;
  } finally {
    client.close();
  }
}
