// What `npm run dev:db` and `npm run dev:worker` start: a migrated file behind the Hrana server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client/web';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLocalHranaConfig, startLocalHrana } from './local-hrana';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('local Hrana server', () => {
  it('migrates a fresh file (folder included) and serves it to the web client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgepost-local-hrana-'));
    dirs.push(dir);
    const config = parseLocalHranaConfig({ DATABASE_URL: `file:${join(dir, 'data', 'edgepost.db')}` }, 0);
    const server = await startLocalHrana(config);
    try {
      const client = createClient({ url: server.url });
      const tables = await client.execute("select name from sqlite_master where type = 'table' and name in ('messages', 'events') order by name");
      expect(tables.rows.map((r) => r.name)).toEqual(['events', 'messages']);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('defaults to the Node host file and refuses a remote DATABASE_URL or a bad port by name', () => {
    expect(parseLocalHranaConfig({}, 8080)).toEqual({ DATABASE_URL: 'file:data/edgepost.db', HRANA_PORT: 8080 });
    expect(() => parseLocalHranaConfig({ DATABASE_URL: 'libsql://db.turso.io' }, 0)).toThrow(/DATABASE_URL: DATABASE_URL must be a file: URL/);
    expect(() => parseLocalHranaConfig({ HRANA_PORT: 'eighty' }, 0)).toThrow(/HRANA_PORT/);
  });
});
