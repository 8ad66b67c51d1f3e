import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ORIGIN, type TestApp } from '../../test/helpers/app';

const owner = { email: 'Olga@Example.com', name: 'Olga', password: 'a long owner password' };

describe('first-run setup API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const post = (body: unknown, headers: Record<string, string> = {}, url = '/api/setup') =>
    t.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('is open while no user exists, creates the owner once and signs them in', async () => {
    expect(await (await t.request('/api/setup')).json()).toEqual({ needed: true });

    const res = await post(owner, { origin: TEST_ORIGIN });
    expect(res.status).toBe(201);
    const body: any = await res.json();
    expect(body).toMatchObject({ user: { email: 'olga@example.com', name: 'Olga', role: 'owner' } });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^edgepost_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');

    // The cookie is a working session.
    const session = await t.request('/api/session', { headers: { cookie: cookie.split(';')[0]! } });
    expect(await session.json()).toMatchObject({ user: { role: 'owner' }, csrfToken: body.csrfToken });

    expect(await (await t.request('/api/setup')).json()).toEqual({ needed: false });
    const again = await post({ ...owner, email: 'mallory@example.com' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).error.message).toContain('already set up');
  });

  it('creates one owner when two setups race', async () => {
    const results = await Promise.all([post(owner), post({ ...owner, email: 'other@example.com' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const users = await t.api('GET', '/api/users');
    expect(users.body.data).toHaveLength(1);
  });

  it('sets a Secure __Host- cookie over https', async () => {
    const res = await post(owner, {}, 'https://edge.example.com/api/setup');
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-edgepost_session=/);
    expect(cookie).toContain('Secure');
    expect(cookie).not.toContain('Domain');
  });

  it('refuses weak passwords, naming the field', async () => {
    for (const [password, message] of [
      ['short', 'at least 12'],
      ['olga@example.com', "account's email"],
    ] as const) {
      const res = await post({ ...owner, password });
      expect(res.status).toBe(400);
      const { error }: any = await res.json();
      expect(error.details).toEqual([{ path: 'password', message: expect.stringContaining(message) }]);
    }
    expect(await (await t.request('/api/setup')).json()).toEqual({ needed: true });
  });

  it('refuses a DNS-rebinding page: an origin that is only the request\'s own Host name', async () => {
    // rebind.attacker.example resolves to this machine: Origin and Host agree, but neither is ours.
    const rebound = await post(owner, { origin: 'http://rebind.attacker.example:8787' }, 'http://rebind.attacker.example:8787/api/setup');
    expect(rebound.status).toBe(403);
    // The same install browsed by address is fine.
    expect((await post(owner, { origin: 'http://127.0.0.1:8787' }, 'http://127.0.0.1:8787/api/setup')).status).toBe(201);
  });

  it('sets a Secure __Host- cookie when PUBLIC_URL is https, even when a TLS proxy hands the Node host plain http', async () => {
    const https = await createTestApp({ publicUrl: 'https://edge.example.com' });
    try {
      const res = await https.request('/api/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owner) });
      expect(res.status).toBe(201);
      const [session, device] = res.headers.getSetCookie();
      expect(session).toMatch(/^__Host-edgepost_session=.*Secure/);
      expect(device).toMatch(/^__Host-edgepost_device=.*; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Lax$/);
    } finally {
      https.close();
    }
  });

  it('refuses a setup posted from another site', async () => {
    const res = await post(owner, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.message).toContain('another site');
    const fetched = await post(owner, { 'sec-fetch-site': 'cross-site' });
    expect(fetched.status).toBe(403);
    expect(await (await t.request('/api/setup')).json()).toEqual({ needed: true });
  });
});
