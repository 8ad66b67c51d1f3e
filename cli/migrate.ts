// `npm run cli -- migrate`: applies pending migrations to DATABASE_URL (start-up does the same).
import { applyMigrations } from '../node/migrate';
import { openDatabase } from '../node/open-database';
import { commandConfig, UsageError, type Command } from './command';
import { databaseConfigSchema } from './database-config';

export const migrateCommand: Command = {
  summary: 'apply pending database migrations to DATABASE_URL',
  usage: 'migrate',
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`migrate takes no arguments (got: ${args.join(' ')})`);
    const config = commandConfig(databaseConfigSchema, io);
    const { client, db } = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
    try {
      await applyMigrations(db);
    } finally {
      client.close();
    }
    // Never echo query parameters: a libSQL URL may carry an auth token there.
    io.err(`Migrations applied to ${config.DATABASE_URL.replace(/\?.*$/, '')}.`);
    return 0;
  },
};
