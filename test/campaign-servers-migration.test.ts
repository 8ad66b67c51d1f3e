// Migration 0003 moves each campaign's one server into campaign_sending_servers, so the
// table is the one place a campaign's servers are stored.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { expect, it } from 'vitest';

const statementsOf = (file: string) =>
  readFileSync(join(__dirname, '../migrations', file), 'utf8')
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter(Boolean);

it('moves campaigns.sending_server_id into campaign_sending_servers and clears the column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepost-migration-'));
  const client = createClient({ url: `file:${join(dir, 'm.db')}` });
  try {
    for (const file of ['0000_init.sql', '0001_server-checks.sql', '0002_server-rates.sql']) {
      for (const statement of statementsOf(file)) await client.execute(statement);
    }
    await client.execute(`insert into sending_servers (id, name, driver) values (7, 'relay', 'capture')`);
    await client.execute(`insert into campaigns (id, name, subject, from_address, format, body, sending_server_id) values
      (1, 'one', 's', 'a@example.com', 'text', 'hi', 7), (2, 'default', 's', 'a@example.com', 'text', 'hi', null)`);
    for (const statement of statementsOf('0003_campaign-servers.sql')) await client.execute(statement);

    const links = await client.execute('select campaign_id, sending_server_id, weight, position from campaign_sending_servers');
    expect(links.rows.map((r) => ({ ...r }))).toEqual([{ campaign_id: 1, sending_server_id: 7, weight: 1, position: 0 }]);
    const left = await client.execute('select count(*) as n from campaigns where sending_server_id is not null');
    expect(Number(left.rows[0]!.n)).toBe(0);
    await expect(client.execute('insert into campaign_sending_servers values (2, 7, 0, 0)')).rejects.toThrow(/CHECK/);
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
