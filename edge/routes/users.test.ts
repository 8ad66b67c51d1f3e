import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ORIGIN, TEST_PASSWORD, type TestApp } from '../../test/helpers/app';

describe('users API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('adds, lists, changes and removes users, never showing a password hash', async () => {
    const admin = await t.signIn('admin');
    const created = await admin.api('POST', '/api/users', { email: ' Vic@Example.com', name: 'Vic', role: 'viewer', password: 'vics first password' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'vic@example.com', name: 'Vic', role: 'viewer', disabled: false, lastSignInAt: null });
    const id = created.body.id;

    const dup = await admin.api('POST', '/api/users', { email: 'vic@example.com', role: 'editor', password: 'another password' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain('vic@example.com already has an account');

    const page = await admin.api('GET', '/api/users');
    expect(page.body.data.map((u: { email: string }) => u.email)).toEqual([admin.user.email, 'vic@example.com']);
    expect(JSON.stringify(page.body)).not.toMatch(/scrypt|password/i);

    const patched = await admin.api('PATCH', `/api/users/${id}`, { role: 'editor', name: 'Victor' });
    expect(patched.body).toMatchObject({ id, role: 'editor', name: 'Victor' });
    expect((await admin.api('PATCH', `/api/users/${id}`, { disabled: true })).body.disabled).toBe(true);

    expect((await admin.api('DELETE', `/api/users/${id}`)).status).toBe(204);
    expect((await admin.api('DELETE', `/api/users/${id}`)).status).toBe(404);
    expect((await admin.api('PATCH', `/api/users/${id}`, { name: 'x' })).status).toBe(404);
  });

  it('checks the password rules against the account it is for', async () => {
    const res = await t.api('POST', '/api/users', { email: 'ann@example.com', role: 'viewer', password: 'ANN@example.com' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'password', message: "password must not be the account's email address" }]);
    const ann = (await t.signIn('viewer', { email: 'ann@example.com' })).user;
    const patch = await t.api('PATCH', `/api/users/${ann.id}`, { password: 'too short' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details).toEqual([{ path: 'password', message: 'password must be at least 12 characters' }]);
    expect((await t.api('PATCH', `/api/users/${ann.id}`, {})).status).toBe(400);
  });

  it('lets only owners create, change or remove owners', async () => {
    const owner = await t.signIn('owner');
    const admin = await t.signIn('admin');
    const newOwner = { email: 'o2@example.com', role: 'owner', password: 'second owner password' };

    const refused = await admin.api('POST', '/api/users', newOwner);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('Only an owner may create an owner; your role is admin.');
    // API keys act as admins.
    expect((await t.api('POST', '/api/users', newOwner)).status).toBe(403);
    expect((await admin.api('PATCH', `/api/users/${owner.user.id}`, { disabled: true })).status).toBe(403);
    expect((await admin.api('DELETE', `/api/users/${owner.user.id}`)).status).toBe(403);
    expect((await admin.api('PATCH', `/api/users/${admin.user.id}`, { role: 'owner' })).status).toBe(403);

    expect((await owner.api('PATCH', `/api/users/${admin.user.id}`, { role: 'owner' })).body.role).toBe('owner');
    expect((await owner.api('POST', '/api/users', newOwner)).status).toBe(201);
  });

  it('keeps at least one enabled owner', async () => {
    const owner = await t.signIn('owner');
    for (const change of [{ role: 'admin' }, { disabled: true }]) {
      const res = await owner.api('PATCH', `/api/users/${owner.user.id}`, change);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('last enabled owner');
    }
    expect((await owner.api('DELETE', `/api/users/${owner.user.id}`)).status).toBe(409);
    const other = await t.signIn('owner');
    expect((await other.api('DELETE', `/api/users/${owner.user.id}`)).status).toBe(204);
  });

  it('signs a user out everywhere when an admin sets their password', async () => {
    const viewer = await t.signIn('viewer');
    expect((await t.api('PATCH', `/api/users/${viewer.user.id}`, { password: 'a brand new password' })).status).toBe(200);
    expect((await viewer.api('GET', '/api/lists')).status).toBe(401);
  });

  it('changes your own password, checking the current one and ending your other sessions', async () => {
    const me = await t.signIn('viewer', { email: 'me@example.com' });
    const signInAgain = (password: string) =>
      t.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'me@example.com', password }) });
    const elsewhere = (await signInAgain(TEST_PASSWORD)).headers.get('set-cookie')!.split(';')[0]!;

    const wrong = await me.api('POST', '/api/users/me/password', { currentPassword: 'not my password!', newPassword: 'my new password here' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ path: 'currentPassword', message: 'is not your current password' }]);
    const weak = await me.api('POST', '/api/users/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'me@example.com' });
    expect(weak.body.error.details).toEqual([{ path: 'newPassword', message: "password must not be the account's email address" }]);

    expect((await me.api('POST', '/api/users/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'my new password here' })).status).toBe(204);
    expect((await me.api('GET', '/api/session')).status).toBe(200);
    expect((await t.request('/api/session', { headers: { cookie: elsewhere } })).status).toBe(401);
    expect((await signInAgain(TEST_PASSWORD)).status).toBe(401);
    expect((await signInAgain('my new password here')).status).toBe(200);
    // An API key has no password of its own.
    expect((await t.api('POST', '/api/users/me/password', { currentPassword: 'x', newPassword: 'y' })).status).toBe(403);
  });

  it('keeps viewers and editors out of user management', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      const user = await t.signIn(role);
      expect((await user.api('GET', '/api/users')).status).toBe(403);
      expect((await user.api('POST', '/api/users', { email: `x-${role}@example.com`, role: 'viewer', password: 'twelve chars!' })).status).toBe(403);
      expect((await user.api('PATCH', `/api/users/${user.user.id}`, { role: 'admin' }, { origin: TEST_ORIGIN })).status).toBe(403);
    }
  });
});
