// A real libSQL database for a test: a fresh file in the OS temp folder, migrated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../../node/migrate';
import { openDatabase, type OpenedDatabase } from '../../node/open-database';

export interface TestDatabase extends OpenedDatabase {
  url: string;
  close(): void;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'edgepost-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const opened = await openDatabase(url);
  await applyMigrations(opened.db);
  return {
    ...opened,
    url,
    close() {
      opened.client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
