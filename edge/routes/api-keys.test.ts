import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app';

describe('API keys API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('creates a key shown once, lists keys without them, and revokes one', async () => {
    const admin = await t.signIn('admin');
    const created = await admin.api('POST', '/api/api-keys', { name: ' deploy ' });
    expect(created.status).toBe(201);
    const { key, ...shown } = created.body;
    expect(key).toMatch(/^ep_[A-Za-z0-9_-]{43}$/);
    expect(shown).toMatchObject({ name: 'deploy', prefix: key.slice(0, 10), lastUsedAt: null, revokedAt: null, createdBy: { kind: 'user', id: admin.user.id, name: admin.user.name } });

    // The new key works, as an admin.
    const withKey = await t.request('/api/users', { headers: { authorization: `Bearer ${key}` } });
    expect(withKey.status).toBe(200);

    const list = await admin.api('GET', '/api/api-keys');
    expect(list.body.data.map((k: { name: string }) => k.name)).toEqual(['deploy', 'test']);
    expect(JSON.stringify(list.body)).not.toContain(key.slice(10));
    // Using it was noted (after the response).
    await t.background.drain();
    expect((await admin.api('GET', '/api/api-keys')).body.data[0]).toEqual({ ...shown, lastUsedAt: expect.any(String) });

    expect((await admin.api('DELETE', `/api/api-keys/${shown.id}`)).status).toBe(204);
    expect((await t.request('/api/lists', { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect((await admin.api('DELETE', `/api/api-keys/${shown.id}`)).status).toBe(404);
    expect((await admin.api('GET', '/api/api-keys')).body.data[0].revokedAt).not.toBeNull();
  });

  it('says who created each key, and renames one', async () => {
    const admin = await t.signIn('admin', { email: 'ad@example.com', name: '' });
    const byAdmin = (await admin.api('POST', '/api/api-keys', { name: 'site form' })).body;
    const byKey = (await t.api('POST', '/api/api-keys', { name: 'made by a key' })).body;
    const list = (await admin.api('GET', '/api/api-keys')).body.data as { name: string; createdBy: unknown }[];
    expect(list.map((k) => [k.name, k.createdBy])).toEqual([
      ['made by a key', { kind: 'apiKey', id: expect.any(Number), name: 'test' }],
      ['site form', { kind: 'user', id: admin.user.id, name: 'ad@example.com' }], // no name: the address
      ['test', null], // made on the command line
    ]);

    const renamed = await admin.api('PATCH', `/api/api-keys/${byAdmin.id}`, { name: ' sign-up form ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: byAdmin.id, name: 'sign-up form', prefix: byAdmin.prefix, createdBy: { kind: 'user' } });
    expect((await admin.api('PATCH', `/api/api-keys/${byKey.id}`, { name: '' })).body.error.details).toEqual([{ path: 'name', message: 'name must not be empty' }]);
    expect((await admin.api('PATCH', `/api/api-keys/${byKey.id}`, { name: 'x', prefix: 'ep_' })).status).toBe(400);
    expect((await admin.api('PATCH', '/api/api-keys/9999', { name: 'x' })).status).toBe(404);
    expect((await admin.api('GET', '/api/api-keys')).body.data.map((k: { name: string }) => k.name)).toEqual(['made by a key', 'sign-up form', 'test']);

    // A creator who leaves is forgotten, the key stays.
    const other = await t.signIn('admin');
    const orphan = (await other.api('POST', '/api/api-keys', { name: 'orphan' })).body;
    expect((await admin.api('DELETE', `/api/users/${other.user.id}`)).status).toBe(204);
    expect((await admin.api('GET', '/api/api-keys')).body.data.find((k: { id: number }) => k.id === orphan.id).createdBy).toBeNull();
  });

  it('validates the name', async () => {
    const res = await t.api('POST', '/api/api-keys', { name: '  ' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'name', message: 'name must not be empty' }]);
  });

  it('keeps editors and viewers out', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      const user = await t.signIn(role);
      expect((await user.api('GET', '/api/api-keys')).status).toBe(403);
      expect((await user.api('POST', '/api/api-keys', { name: 'x' })).status).toBe(403);
      expect((await user.api('PATCH', '/api/api-keys/1', { name: 'x' })).status).toBe(403);
      expect((await user.api('DELETE', '/api/api-keys/1')).status).toBe(403);
    }
  });
});
