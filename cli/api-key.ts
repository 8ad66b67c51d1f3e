// `npm run cli -- api-key create --name NAME | list | revoke --id N`. A new key is printed
// once, alone on stdout (`npm run -s cli -- ...` captures it); only its hash is stored.
import { parseArgs } from 'node:util';
import type { Database } from '../shared/db/database';
import { createApiKey, listApiKeys, revokeApiKey } from '../shared/queries/api-keys';
import { UsageError, type Command, type CommandIo } from './command';
import { withDatabase } from './database-config';

const MAX_NAME = 100;

const actions: Record<string, (db: Database, args: string[], io: CommandIo) => Promise<number>> = {
  async create(db, args, io) {
    const name = parseName(args);
    const { id, key } = await createApiKey(db, name);
    io.out(key);
    io.err(`Created API key ${id} "${name}". Copy it now: it is shown only this once.`);
    return 0;
  },
  async list(db, args, io) {
    if (args.length > 0) throw new UsageError(`api-key list takes no arguments (got: ${args.join(' ')})`);
    for (const key of await listApiKeys(db)) {
      const state = key.revokedAt ? `revoked ${iso(key.revokedAt)}` : `last used ${key.lastUsedAt ? iso(key.lastUsedAt) : 'never'}`;
      io.out(`${key.id}\t${key.prefix}…\t${key.name}\tcreated ${iso(key.createdAt)}\t${state}`);
    }
    return 0;
  },
  async revoke(db, args, io) {
    const id = parseId(args);
    if (!(await revokeApiKey(db, id))) {
      io.err(`No active API key with id ${id} (see: npm run cli -- api-key list).`);
      return 1;
    }
    io.err(`API key ${id} revoked: requests with it now get 401.`);
    return 0;
  },
};

export const apiKeyCommand: Command = {
  summary: 'create (printed once), list or revoke API keys for the API',
  usage: 'api-key create --name NAME | list | revoke --id N',
  async run(args, io) {
    const [action, ...rest] = args;
    const run = action && Object.hasOwn(actions, action) ? actions[action]! : undefined;
    if (!run) throw new UsageError(action ? `unknown api-key action "${action}"` : 'say what to do: create, list or revoke');
    // Check the arguments before touching the database.
    if (action === 'create') parseName(rest);
    if (action === 'revoke') parseId(rest);
    return withDatabase(io, (db) => run(db, rest, io));
  },
};

const iso = (ms: number) => new Date(ms).toISOString();

function parseId(args: string[]): number {
  let values: { id?: string };
  try {
    ({ values } = parseArgs({ args, options: { id: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const id = Number(values.id);
  if (!values.id || !Number.isSafeInteger(id) || id < 1) throw new UsageError('--id is required: the number shown by api-key list');
  return id;
}

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
