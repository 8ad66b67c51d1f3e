// Migration 0004 rebuilds the campaigns table (SQLite cannot drop a column that holds a
// foreign key). Through the real migrator, on a database at 0003 with data in every table
// that points at campaigns, nothing may cascade away.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { expect, it } from 'vitest';
import { applyMigrations, migrationsFolder } from '../node/migrate';
import { openDatabase } from '../node/open-database';

it('keeps every campaign, its lists, servers and messages when the campaigns table is rebuilt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepost-rebuild-'));
  try {
    // The migrations folder as it was at 0003.
    const before = join(dir, 'migrations-0003');
    cpSync(migrationsFolder, before, { recursive: true });
    const journalFile = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0004');
    writeFileSync(journalFile, JSON.stringify(journal));

    const { client, db } = await openDatabase(`file:${join(dir, 'app.db')}`);
    await migrate(db, { migrationsFolder: before });
    await client.executeMultiple(`
      insert into lists (id, name) values (1, 'l');
      insert into subscribers (id, email) values (1, 'a@example.com');
      insert into list_members (list_id, subscriber_id) values (1, 1);
      insert into sending_servers (id, name, driver) values (1, 's', 'capture');
      insert into campaigns (id, name, subject, from_address, format, body, status, cursor) values (1, 'c', 's', 'a@example.com', 'text', 'hi', 'sending', 1);
      insert into campaign_lists (campaign_id, list_id) values (1, 1);
      insert into campaign_sending_servers (campaign_id, sending_server_id, weight, position) values (1, 1, 2, 0);
      insert into messages (id, campaign_id, subscriber_id, status) values (1, 1, 1, 'sent');`);

    await applyMigrations(db);

    const count = async (table: string) => Number((await client.execute(`select count(*) as n from ${table}`)).rows[0]!.n);
    expect([await count('campaigns'), await count('campaign_lists'), await count('campaign_sending_servers'), await count('messages')]).toEqual([1, 1, 1, 1]);
    const [campaign] = (await client.execute('select status, cursor from campaigns')).rows;
    expect({ ...campaign }).toEqual({ status: 'sending', cursor: 1 });
    const columns = (await client.execute('pragma table_info(campaigns)')).rows.map((r) => r.name);
    expect(columns).not.toContain('sending_server_id');
    // Foreign keys still hold after the rebuild.
    await expect(client.execute('insert into messages (campaign_id, subscriber_id) values (99, 1)')).rejects.toThrow(/FOREIGN KEY/);
    expect((await client.execute('pragma foreign_key_check')).rows).toEqual([]);
    client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
