import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findActiveApiKey } from '../shared/queries/api-keys';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { apiKeyCommand } from './api-key';
import type { CommandIo } from './command';
import { runCli } from './run-cli';

function capture(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { env, out: (l) => out.push(l), err: (l) => err.push(l) };
  return { io, out, err };
}

describe('api-key command', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  const run = (args: string[], env: Record<string, string | undefined> = { DATABASE_URL: t.url }) => {
    const c = capture(env);
    return runCli({ 'api-key': apiKeyCommand }, ['api-key', ...args], c.io).then((code) => ({ code, ...c }));
  };

  it('creates a key, prints it alone on stdout once, and stores only its hash', async () => {
    // No SECRET_KEY: this command does not need it.
    const { code, out, err } = await run(['create', '--name', 'ci']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^ep_[A-Za-z0-9_-]{43}$/);
    expect(err.join('\n')).toContain('shown only this once');
    expect(await findActiveApiKey(t.db, out[0]!)).toMatchObject({ name: 'ci' });
  });

  it('lists keys without their secret and revokes one', async () => {
    const created = await run(['create', '--name', 'ci']);
    const key = created.out[0]!;
    const listed = await run(['list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(1);
    expect(listed.out[0]).toMatch(/^1\tep_.{7}…\tci\tcreated \S+\tlast used never$/);
    expect(listed.out[0]).not.toContain(key.slice(10));

    expect((await run(['revoke', '--id', '1'])).code).toBe(0);
    expect(await findActiveApiKey(t.db, key)).toBeNull();
    expect((await run(['list'])).out[0]).toMatch(/\trevoked \S+$/);
    const again = await run(['revoke', '--id', '1']);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('No active API key with id 1');
  });

  it('explains a wrong call with the usage, exit code 2', async () => {
    for (const args of [[], ['create'], ['create', '--name', ' '], ['create', '--nmae', 'x'], ['delete', '--name', 'x'], ['revoke'], ['revoke', '--id', 'x'], ['list', 'extra']]) {
      const { code, out, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('\n')).toContain('Usage: npm run cli -- api-key create --name NAME | list | revoke --id N');
    }
  });

  it('names the variable to fix and says when migrations are missing', async () => {
    const bad = await run(['create', '--name', 'x'], { DATABASE_URL: 'postgres://nope' });
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toContain('DATABASE_URL must start with file:');

    const dir = mkdtempSync(join(tmpdir(), 'edgepost-cli-'));
    try {
      const fresh = await run(['create', '--name', 'x'], { DATABASE_URL: `file:${join(dir, 'fresh.db')}` });
      expect(fresh.code).toBe(1);
      expect(fresh.err.join('\n')).toContain('npm run cli -- migrate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
