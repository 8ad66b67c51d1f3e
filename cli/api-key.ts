// `npm run cli -- api-key create --name NAME`: creates an API key and prints it once; only
// its hash is stored. The key goes alone to stdout (`npm run -s cli -- ...` captures it).
import { parseArgs } from 'node:util';
import { openDatabase } from '../node/open-database';
import { createApiKey } from '../shared/queries/api-keys';
import { commandConfig, UsageError, type Command } from './command';
import { databaseConfigSchema } from './database-config';

const MAX_NAME = 100;

export const apiKeyCommand: Command = {
  summary: 'create an API key for the dashboard API (printed once)',
  usage: 'api-key create --name NAME',
  async run(args, io) {
    const [action, ...rest] = args;
    if (action !== 'create') throw new UsageError(action ? `unknown api-key action "${action}"` : 'say what to do: api-key create');
    const name = parseName(rest);
    const config = commandConfig(databaseConfigSchema, io);
    const { client, db } = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
    try {
      const { id, key } = await createApiKey(db, name);
      io.out(key);
      io.err(`Created API key ${id} "${name}". Copy it now: it is shown only this once.`);
      return 0;
    } catch (err) {
      if (/no such table/i.test(String((err as Error).cause ?? err))) {
        io.err('The database has no tables yet: run `npm run cli -- migrate` first.');
        return 1;
      }
      throw err;
    } finally {
      client.close();
    }
  },
};

function parseName(args: string[]): string {
  let values: { name?: string };
  try {
    ({ values } = parseArgs({ args, options: { name: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name is required, e.g. --name ci (it tells keys apart)');
  if (name.length > MAX_NAME) throw new UsageError(`--name must be at most ${MAX_NAME} characters`);
  return name;
}
