// `npm run cli -- user create --email EMAIL --role ROLE [--name NAME] | list`: dashboard
// users from the command line, for the first owner without the web setup, or for an
// install whose owners are all locked out. A new user gets a generated password, printed
// once, alone on stdout; they sign in with it and choose their own.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { encodeBase64Url } from '../shared/base64url';
import type { Database } from '../shared/db/database';
import { userRoles, type UserRole } from '../shared/db/schema';
import { hashPassword } from '../shared/passwords';
import { createUser, listUsers, type User } from '../shared/queries/users';
import { UsageError, type Command, type CommandIo } from './command';
import { withDatabase } from './database-config';

const USAGE = `user create --email EMAIL --role ${userRoles.join('|')} [--name NAME] | list`;

interface NewUserArgs {
  email: string;
  role: UserRole;
  name: string;
}

const actions: Record<string, (db: Database, args: string[], io: CommandIo) => Promise<number>> = {
  async create(db, args, io) {
    const input = parseCreate(args);
    // 18 random bytes: 24 characters, well past the 12 a password needs.
    const password = encodeBase64Url(crypto.getRandomValues(new Uint8Array(18)));
    const user = await createUser(db, { ...input, passwordHash: await hashPassword(password) });
    if (!user) {
      io.err(`${input.email} already has an account (see: npm run cli -- user list); create one with another address.`);
      return 1;
    }
    io.out(password);
    io.err(`Created ${user.role} ${user.id} <${user.email}>. Sign in with the password above (shown only this once), then choose your own.`);
    return 0;
  },
  async list(db, args, io) {
    if (args.length > 0) throw new UsageError(`user list takes no arguments (got: ${args.join(' ')})`);
    for (let cursor: number | undefined, more = true; more; ) {
      const page = await listUsers(db, { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const user of page.rows) io.out(describe(user));
      more = page.nextCursor !== null;
      cursor = Number(page.nextCursor);
    }
    return 0;
  },
};

export const userCommand: Command = {
  summary: 'create a dashboard user (password printed once) or list them',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    const run = action && Object.hasOwn(actions, action) ? actions[action]! : undefined;
    if (!run) throw new UsageError(action ? `unknown user action "${action}"` : 'say what to do: create or list');
    // Check the arguments before touching the database.
    if (action === 'create') parseCreate(rest);
    return withDatabase(io, (db) => run(db, rest, io));
  },
};

const iso = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());

function describe(user: User): string {
  const state = user.disabledAt === null ? `last sign-in ${iso(user.lastSignInAt)}` : `disabled ${iso(user.disabledAt)}`;
  return `${user.id}\t${user.email}\t${user.role}\t${user.name}\t${state}`;
}

const CreateArgs = z.object({
  email: z.string({ error: '--email is required' }).trim().toLowerCase().pipe(z.email('--email must be an address like name@example.com')),
  role: z.enum(userRoles, { error: `--role must be one of ${userRoles.join(', ')}` }),
  name: z.string().trim().max(200, '--name must be at most 200 characters').default(''),
});

function parseCreate(args: string[]): NewUserArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args, options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const parsed = CreateArgs.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}
