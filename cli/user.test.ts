import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../shared/passwords';
import { findUserByEmail } from '../shared/queries/users';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import type { CommandIo } from './command';
import { runCli } from './run-cli';
import { userCommand } from './user';

describe('user command', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIo = { env: { DATABASE_URL: t.url }, out: (l) => out.push(l), err: (l) => err.push(l) };
    const code = await runCli({ user: userCommand }, ['user', ...args], io);
    return { code, out, err };
  };

  it('creates an owner with a generated password, printed once alone on stdout', async () => {
    const { code, out, err } = await run(['create', '--email', 'Olga@Example.com', '--role', 'owner', '--name', 'Olga']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(err.join('\n')).toContain('Created owner 1 <olga@example.com>');
    const user = await findUserByEmail(t.db, 'olga@example.com');
    expect(user).toMatchObject({ role: 'owner', name: 'Olga' });
    expect((await verifyPassword(out[0]!, user!.passwordHash)).ok).toBe(true);

    const again = await run(['create', '--email', 'olga@example.com', '--role', 'viewer']);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('olga@example.com already has an account');

    const listed = await run(['list']);
    expect(listed.out).toEqual([expect.stringMatching(/^1\tolga@example.com\towner\tOlga\tlast sign-in never$/)]);
  });

  it('explains a wrong call with the usage, exit code 2', async () => {
    for (const args of [[], ['create'], ['create', '--email', 'x', '--role', 'owner'], ['create', '--email', 'a@example.com', '--role', 'boss'], ['create', '--email', 'a@example.com'], ['remove'], ['list', 'extra']]) {
      const { code, out, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('\n')).toContain('Usage: npm run cli -- user create --email EMAIL --role owner|admin|editor|viewer [--name NAME] | list');
    }
  });
});
