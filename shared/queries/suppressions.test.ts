import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { addManualSuppressions, listSuppressions, suppressionsPageQuery, type SuppressionQuery } from './suppressions';

describe('suppressions queries', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  const plan = async (query: SuppressionQuery) => {
    const { sql, params } = suppressionsPageQuery(t.db, query).toSQL();
    return (await t.client.execute({ sql: `explain query plan ${sql}`, args: params as (string | number)[] })).rows.map((r) => String(r.detail));
  };

  it('reads a prefix and a cursor as ranges of the primary key, never a scan and sort', async () => {
    expect(await plan({ limit: 50, search: 'ann', cursor: 'ann@a.example' })).toEqual([
      expect.stringMatching(/^SEARCH suppressions USING INDEX sqlite_autoindex_suppressions_1 \(email>\? AND email<\?\)/),
    ]);
    // Filtering by reason walks the index in order and stops after one page.
    const byReason = await plan({ limit: 50, reason: 'complaint' });
    expect(byReason.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('keeps addresses past the prefix out, whatever characters follow it', async () => {
    await addManualSuppressions(t.db, ['ann@example.com', 'ann\u00e9@example.com', 'anm@example.com', 'ano@example.com', 'an@example.com'], null);
    const page = await listSuppressions(t.db, { limit: 50, search: 'ann' });
    expect(page.rows.map((r) => r.email)).toEqual(['ann@example.com', 'ann\u00e9@example.com']);
  });
});
