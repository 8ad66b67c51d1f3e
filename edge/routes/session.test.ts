import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADDRESS_LIMIT, attemptKeys, NETWORK_LIMIT, recordFailure } from '../../shared/queries/sign-in-attempts';
import { DEVICES_PER_USER, rememberDevice } from '../../shared/queries/sign-in-devices';
import { createTestApp, TEST_ORIGIN, TEST_PASSWORD, type TestApp } from '../../test/helpers/app';

describe('session API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const signIn = async (email: string, password: string, ip = '192.0.2.10', cookie?: string) => {
    const res = await t.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'cf-connecting-ip': ip, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ email, password }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const sql = (text: string, args: (string | number)[] = []) => t.database.client.execute({ sql: text, args });

  it('signs in with the right password, rehashing a weaker stored hash', async () => {
    const { user } = await t.signIn('editor', { email: 'ed@example.com' });
    const res = await signIn(' ED@example.com', TEST_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: user.id, email: 'ed@example.com', role: 'editor' } });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const session = await t.request('/api/session', { headers: { cookie } });
    expect(((await session.json()) as any).csrfToken).toBe(res.body.csrfToken);

    const [row] = (await sql('select password_hash, last_sign_in_at from users where id = ?', [user.id])).rows;
    expect(String(row!.password_hash)).toMatch(/^scrypt\$16384\$8\$5\$/);
    expect(row!.last_sign_in_at).toBeGreaterThan(Date.now() - 60_000);
    // The new hash still takes the same password.
    expect((await signIn('ed@example.com', TEST_PASSWORD)).status).toBe(200);
  });

  it('answers a wrong password and an unknown address alike', async () => {
    await t.signIn('editor', { email: 'ed@example.com' });
    const wrong = await signIn('ed@example.com', 'not the password at all');
    const unknown = await signIn('nobody@example.com', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown).toEqual({ ...wrong, headers: unknown.headers });
    expect(wrong.body.error.message).toBe('Wrong email or password.');
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('locks an address after five failures, whether or not it has an account', async () => {
    await t.signIn('editor', { email: 'ed@example.com' });
    for (const email of ['ed@example.com', 'nobody@example.com']) {
      const { address } = await attemptKeys(email, 'elsewhere');
      for (let i = 0; i < ADDRESS_LIMIT.maxFailures - 1; i++) await recordFailure(t.database.db, [address]);
    }
    // The fifth failure locks; from then on even the right password is refused, before any hashing.
    expect((await signIn('ed@example.com', 'wrong password number five')).status).toBe(401);
    expect((await signIn('nobody@example.com', 'wrong password number five')).status).toBe(401);
    const locked = await signIn('ed@example.com', TEST_PASSWORD);
    const lockedUnknown = await signIn('nobody@example.com', TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(lockedUnknown.body).toEqual(locked.body);
    expect(locked.body.error.message).toMatch(/^Too many failed sign-ins: try again in 15 minute\(s\)/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(890);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(900);

    // Once the lock has run out, the right password works again.
    await sql('update sign_in_attempts set locked_until = ?', [Date.now() - 1]);
    expect((await signIn('ed@example.com', TEST_PASSWORD)).status).toBe(200);
  });

  // Devices are made with rememberDevice where a sign-in is not the point: every successful
  // sign-in stores a full-strength hash, and each later check of it costs a full scrypt.
  const deviceCookie = async (userId: number) => `edgepost_device=${(await rememberDevice(t.database.db, userId)).token}`;

  it("lets the owner's remembered browser in while strangers' failures lock the address; it has a lock of its own", async () => {
    const { user: ed } = await t.signIn('editor', { email: 'ed@example.com' });
    await t.signIn('viewer', { email: 'vi@example.com' });
    // A sign-in remembers the browser.
    const first = await signIn('vi@example.com', TEST_PASSWORD);
    const viDevice = first.headers.getSetCookie().find((c) => c.startsWith('edgepost_device='));
    expect(viDevice).toMatch(/; HttpOnly; SameSite=Lax$/);
    const vis = viDevice!.split(';')[0]!;
    const [edsGuessing, eds] = [await deviceCookie(ed.id), await deviceCookie(ed.id)];
    const fromDevice = (cookie: string, email: string, password: string) => signIn(email, password, '192.0.2.10', cookie);

    // A stranger fails five times: the address is locked for everyone without Ed's device.
    for (let i = 0; i < ADDRESS_LIMIT.maxFailures; i++) expect((await signIn('ed@example.com', 'a stranger guessing', '198.51.100.66')).status).toBe(401);
    expect((await signIn('ed@example.com', TEST_PASSWORD)).status).toBe(429);
    expect((await fromDevice(vis, 'ed@example.com', TEST_PASSWORD)).status).toBe(429); // another account's device counts for nothing here
    expect((await fromDevice(`edgepost_device=${'A'.repeat(43)}`, 'ed@example.com', TEST_PASSWORD)).status).toBe(429);

    // Guessing from one of Ed's browsers locks that browser alone.
    for (let i = 0; i < ADDRESS_LIMIT.maxFailures; i++) expect((await fromDevice(edsGuessing, 'ed@example.com', 'wrong from the device')).status).toBe(401);
    expect((await fromDevice(edsGuessing, 'ed@example.com', TEST_PASSWORD)).status).toBe(429);

    const signedIn = await fromDevice(eds, 'ed@example.com', TEST_PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.getSetCookie().some((c) => c.startsWith('edgepost_device='))).toBe(false); // already remembered
  });

  it('keeps the newest ten browsers per user, and forgets the one another account takes over', async () => {
    const { user: ed } = await t.signIn('editor', { email: 'ed@example.com' });
    const { user: vi } = await t.signIn('viewer', { email: 'vi@example.com' });
    const devices = async (userId: number) => Number((await sql('select count(*) as n from sign_in_devices where user_id = ?', [userId])).rows[0]!.n);
    const cookies = [];
    for (let i = 0; i < DEVICES_PER_USER + 2; i++) cookies.push(await deviceCookie(ed.id));
    expect(await devices(ed.id)).toBe(DEVICES_PER_USER);

    // Vi signs in on Ed's newest browser: the cookie is Vi's now, and Ed's device there is gone.
    const shared = cookies.at(-1)!;
    const res = await signIn('vi@example.com', TEST_PASSWORD, '192.0.2.10', shared);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('edgepost_device='))).toBe(true);
    expect(await devices(ed.id)).toBe(DEVICES_PER_USER - 1);
    expect(await devices(vi.id)).toBe(1);
  });

  it('forgets remembered browsers when the user is disabled', async () => {
    const admin = await t.signIn('admin', { email: 'ad@example.com' });
    const { user } = await t.signIn('editor', { email: 'ed@example.com' });
    await deviceCookie(user.id);
    expect((await admin.api('PATCH', `/api/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect((await sql('select count(*) as n from sign_in_devices where user_id = ?', [user.id])).rows[0]!.n).toBe(0);
  });

  it('forgets remembered browsers when the password changes', async () => {
    const admin = await t.signIn('admin', { email: 'ad@example.com' });
    const { user } = await t.signIn('editor', { email: 'ed@example.com' });
    const device = await deviceCookie(user.id);
    const devices = async () => (await sql('select count(*) as n from sign_in_devices where user_id = ?', [user.id])).rows[0]!.n;
    expect(await devices()).toBe(1);
    expect((await admin.api('PATCH', `/api/users/${user.id}`, { password: 'a brand new password 123' })).status).toBe(200);
    expect(await devices()).toBe(0);
    const { address } = await attemptKeys('ed@example.com', 'elsewhere');
    for (let i = 0; i < ADDRESS_LIMIT.maxFailures; i++) await recordFailure(t.database.db, [address]);
    expect((await signIn('ed@example.com', 'a brand new password 123', '192.0.2.10', device)).status).toBe(429);
  });

  it('counts guesses sent in parallel one after another, so they cannot all pass the lock', async () => {
    const statuses = (await Promise.all(Array.from({ length: 12 }, () => signIn('someone@example.com', 'wrong password here', '192.0.2.77')))).map((r) => r.status);
    // Five wrong guesses are tried (two at a time at most); every later one is refused unheard.
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(6);
    expect(statuses.filter((status) => status === 429 || status === 503).length).toBeGreaterThanOrEqual(6);
  });

  it('locks a client network after many failures across addresses', async () => {
    await t.signIn('editor', { email: 'ed@example.com' });
    const { network } = await attemptKeys('x', '203.0.113.0/24');
    for (let i = 0; i < NETWORK_LIMIT.maxFailures; i++) await recordFailure(t.database.db, [network]);
    expect((await signIn('ed@example.com', TEST_PASSWORD, '203.0.113.200')).status).toBe(429);
    expect((await signIn('ed@example.com', TEST_PASSWORD, '198.51.100.4')).status).toBe(200);
  });

  it('refuses a disabled user with the right password, and ends their sessions at once', async () => {
    const editor = await t.signIn('editor', { email: 'ed@example.com' });
    expect((await editor.api('GET', '/api/lists')).status).toBe(200);
    expect((await t.api('PATCH', `/api/users/${editor.user.id}`, { disabled: true })).status).toBe(200);
    const after = await editor.api('GET', '/api/lists');
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('session has ended');
    const res = await signIn('ed@example.com', TEST_PASSWORD);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('disabled');
  });

  it('signs out: the session ends and the cookie is cleared', async () => {
    const viewer = await t.signIn('viewer');
    const noToken = await viewer.api('DELETE', '/api/session', undefined, { 'x-csrf-token': 'nope' });
    expect(noToken.status).toBe(403);
    const out = await viewer.api('DELETE', '/api/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^edgepost_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax/);
    expect((await viewer.api('GET', '/api/session')).status).toBe(401);
  });

  it('ends an idle session, and keeps a used one alive with one write a minute', async () => {
    const editor = await t.signIn('editor');
    const seen = async () => Number((await sql('select last_seen_at from sessions')).rows[0]!.last_seen_at);
    const twoMinutesAgo = Date.now() - 120_000;
    await sql('update sessions set last_seen_at = ?', [twoMinutesAgo]);
    expect((await editor.api('GET', '/api/lists')).status).toBe(200);
    await t.background.drain();
    expect(await seen()).toBeGreaterThan(twoMinutesAgo + 60_000);

    const recent = await seen();
    await editor.api('GET', '/api/lists');
    await t.background.drain();
    expect(await seen()).toBe(recent);

    await sql('update sessions set last_seen_at = ?', [Date.now() - 13 * 3600_000]);
    expect((await editor.api('GET', '/api/lists')).status).toBe(401);
  });

  it('says how to authenticate when nothing, or a bad cookie, is sent', async () => {
    const none = await t.request('/api/lists');
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.message).toMatch(/POST \/api\/session.*Authorization: Bearer/);
    expect((await t.request('/api/lists', { headers: { cookie: 'edgepost_session=forged' } })).status).toBe(401);
    // An API key has no session to show.
    expect((await t.api('GET', '/api/session')).status).toBe(403);
  });

  it('validates the sign-in body', async () => {
    const res = await t.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.details).toEqual([{ path: 'password', message: expect.any(String) }]);
  });
});

describe('CSRF protection of cookie-borne writes', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('needs the session token and our origin, and only for writes with a cookie', async () => {
    const editor = await t.signIn('editor');
    const other = await t.signIn('editor');
    const post = (headers: Record<string, string | undefined>) => {
      const clean = Object.fromEntries(Object.entries({ cookie: editor.cookie, 'content-type': 'application/json', ...headers }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      return t.request('/api/lists', { method: 'POST', headers: clean, body: JSON.stringify({ name: 'N' }) }).then((r) => r.status);
    };
    const token = editor.csrfToken;
    expect(await post({ 'x-csrf-token': token, origin: TEST_ORIGIN })).toBe(201);
    expect(await post({ origin: TEST_ORIGIN })).toBe(403);
    expect(await post({ 'x-csrf-token': other.csrfToken, origin: TEST_ORIGIN })).toBe(403);
    expect(await post({ 'x-csrf-token': token, origin: 'https://evil.example' })).toBe(403);
    expect(await post({ 'x-csrf-token': token })).toBe(403);
    expect(await post({ 'x-csrf-token': token, 'sec-fetch-site': 'same-origin' })).toBe(201);
    expect(await post({ 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' })).toBe(403);
    // PUBLIC_URL's origin counts as ours (a TLS-terminating proxy in front of the Node host).
    expect(await post({ 'x-csrf-token': token, origin: 'http://edge.test' })).toBe(201);
    // Reads need neither.
    expect((await t.request('/api/lists', { headers: { cookie: editor.cookie } })).status).toBe(200);
    // An API key needs neither, even with a cookie beside it.
    expect(await post({ authorization: `Bearer ${t.apiKey}`, cookie: other.cookie })).toBe(201);
  });
});
