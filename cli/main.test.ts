// Runs the real entry file the way `npm run cli` does, on a fresh database file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

async function cli(args: string[], env: Record<string, string>) {
  const { SECRET_KEY: _unused, ...base } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: root,
      env: { ...base, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cli/main.ts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgepost-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates a fresh database, then creates an API key, without SECRET_KEY', async () => {
    const env = { DATABASE_URL: `file:${join(dir, 'sub', 'edgepost.db')}` };
    const migrated = await cli(['migrate'], env);
    expect(migrated.stderr).toContain('Migrations applied');
    expect(migrated.code).toBe(0);
    expect((await cli(['migrate'], env)).code).toBe(0);

    const created = await cli(['api-key', 'create', '--name', 'ci'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^ep_[A-Za-z0-9_-]{43}\n$/);

    const client = createClient({ url: env.DATABASE_URL });
    const rows = await client.execute('select name, prefix from api_keys');
    client.close();
    expect(rows.rows.map((r) => [r.name, r.prefix])).toEqual([['ci', created.stdout.slice(0, 10)]]);
  }, 30_000);

  it('lists the commands, and refuses an unknown one with exit code 2', async () => {
    const unknown = await cli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain('api-key create --name NAME | list | revoke --id N');
    expect(unknown.stderr).toContain('migrate');
  }, 30_000);
});
