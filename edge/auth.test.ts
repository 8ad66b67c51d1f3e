// Every route the API publishes, called without credentials and as each role: the
// permission table (edge/permissions.ts) is what decides, for all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../shared/db/schema';
import { createSession } from '../shared/queries/sessions';
import { createTestApp, TEST_ORIGIN, type TestApp } from '../test/helpers/app';
import { isAllowed, requiredAccess } from './permissions';
import { csrfToken } from './session-cookie';

const roles: UserRole[] = ['viewer', 'editor', 'admin', 'owner'];

describe('every API route goes through the permission table', () => {
  let t: TestApp;
  let operations: { method: string; path: string }[];
  const userIds = new Map<UserRole, number>();

  beforeAll(async () => {
    t = await createTestApp();
    for (const role of roles) userIds.set(role, (await t.signIn(role)).user.id);
    const doc = (await (await t.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: concrete(path) })));
  });
  afterAll(() => t?.close());

  const concrete = (path: string) => path.replace('{email}', 'nobody%40example.com').replace(/\{[^}]+\}/g, '999999');
  const call = (method: string, path: string, headers: Record<string, string>) =>
    t.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'GET' ? {} : { body: '{}' }) });

  it('publishes the session, setup, users and API-key routes', () => {
    expect(operations.length).toBeGreaterThan(40);
    const paths = operations.map((o) => `${o.method} ${o.path}`);
    for (const expected of ['GET /api/setup', 'POST /api/session', 'DELETE /api/session', 'PATCH /api/users/999999', 'POST /api/users/me/password', 'DELETE /api/api-keys/999999']) {
      expect(paths).toContain(expected);
    }
  });

  it('answers 401 without credentials, except the first-run setup and signing in', async () => {
    const open: string[] = [];
    for (const { method, path } of operations) {
      const status = (await call(method, path, {})).status;
      if (status !== 401) open.push(`${method} ${path} ${status}`);
    }
    expect(open.map((o) => o.replace(/ \d+$/, ''))).toEqual(['GET /api/setup', 'POST /api/setup', 'POST /api/session']);
  });

  it.each(roles)('lets a %s through exactly where the table says', async (role) => {
    const wrong: string[] = [];
    const refused: string[] = [];
    for (const { method, path } of operations) {
      // A fresh session each time: one of these calls is DELETE /api/session.
      const { token } = await createSession(t.database.db, userIds.get(role)!, 'vitest');
      const headers = { cookie: `edgepost_session=${token}`, 'x-csrf-token': await csrfToken(token), origin: TEST_ORIGIN };
      const status = (await call(method, path, headers)).status;
      const allowed = isAllowed(requiredAccess(method, path), { kind: 'session', role });
      if ((status === 403) === allowed || status === 401) wrong.push(`${method} ${path}: ${status}, allowed ${allowed}`);
      if (status === 403) refused.push(`${method} ${path}`);
    }
    expect(wrong).toEqual([]);
    // Not vacuous: viewers and editors are refused somewhere (admins only by the users routes' owner rules).
    expect(refused.length > 0).toBe(role === 'viewer' || role === 'editor');
  });
});
