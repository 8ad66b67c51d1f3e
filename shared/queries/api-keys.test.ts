import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { createApiKey, findActiveApiKey, touchApiKey } from './api-keys';

describe('api keys', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  it('finds a created key by its full value and stores only a hash', async () => {
    const { key } = await createApiKey(t.db, 'ci');
    expect(key).toMatch(/^ep_[A-Za-z0-9_-]{43}$/);
    expect(await findActiveApiKey(t.db, key)).toMatchObject({ name: 'ci' });
    expect(await findActiveApiKey(t.db, key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeNull();
    const stored = await t.client.execute('select * from api_keys');
    expect(JSON.stringify(stored.rows)).not.toContain(key);
  });
});

describe('api key use', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  it('records when a key was last used, at most once a minute', async () => {
    const { id, key } = await createApiKey(t.db, 'ci');
    expect((await findActiveApiKey(t.db, key))!.lastUsedAt).toBeNull();
    await touchApiKey(t.db, id);
    const first = (await findActiveApiKey(t.db, key))!.lastUsedAt!;
    expect(Math.abs(first - Date.now())).toBeLessThan(5_000);
    await touchApiKey(t.db, id);
    expect((await findActiveApiKey(t.db, key))!.lastUsedAt).toBe(first);
  });
});
