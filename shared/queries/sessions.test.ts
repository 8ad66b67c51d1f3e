import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { createSession, deleteDeadSessions, deleteSession, findSession, SESSION_IDLE_MS, SESSION_MAX_AGE_MS, SESSION_TOUCH_MS, touchSession } from './sessions';
import { createUser, updateUser } from './users';

describe('sessions queries', () => {
  let t: TestDatabase;
  let userId: number;
  beforeEach(async () => {
    t = await createTestDatabase();
    userId = (await createUser(t.db, { email: 'e@example.com', name: 'E', role: 'editor', passwordHash: 'x' }))!.id;
  });
  afterEach(() => t.close());

  const row = async (id: number) => (await t.client.execute({ sql: 'select * from sessions where id = ?', args: [id] })).rows[0];

  it('stores only the SHA-256 of the token and finds the session with its user', async () => {
    const now = Date.now();
    const s = await createSession(t.db, userId, 'Firefox', now);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.expiresAt).toBe(now + SESSION_MAX_AGE_MS);
    const stored = await row(s.id);
    expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(s.token);
    expect(await findSession(t.db, s.token, now)).toMatchObject({ sessionId: s.id, userId, email: 'e@example.com', role: 'editor' });
    expect(await findSession(t.db, `${s.token.slice(0, -1)}${s.token.endsWith('A') ? 'B' : 'A'}`, now)).toBeNull();
  });

  it('ends a session after 12 idle hours or 30 days, whichever comes first', async () => {
    const start = Date.now();
    const s = await createSession(t.db, userId, undefined, start);
    expect(await findSession(t.db, s.token, start + SESSION_IDLE_MS - 1)).not.toBeNull();
    expect(await findSession(t.db, s.token, start + SESSION_IDLE_MS)).toBeNull();

    // Used every 11 hours, it still ends at 30 days.
    for (let at = start; at < start + SESSION_MAX_AGE_MS; at += 11 * 3600_000) await touchSession(t.db, s.id, at);
    expect(await findSession(t.db, s.token, start + SESSION_MAX_AGE_MS - 1)).not.toBeNull();
    expect(await findSession(t.db, s.token, start + SESSION_MAX_AGE_MS)).toBeNull();
  });

  it('writes last_seen_at at most once a minute', async () => {
    const start = Date.now();
    const s = await createSession(t.db, userId, undefined, start);
    await touchSession(t.db, s.id, start + SESSION_TOUCH_MS - 1);
    expect((await row(s.id))!.last_seen_at).toBe(start);
    await touchSession(t.db, s.id, start + SESSION_TOUCH_MS + 1);
    expect((await row(s.id))!.last_seen_at).toBe(start + SESSION_TOUCH_MS + 1);
  });

  it("stops at once for a disabled user, and on sign-out", async () => {
    const a = await createSession(t.db, userId, undefined);
    const b = await createSession(t.db, userId, undefined);
    await deleteSession(t.db, a.id);
    expect(await findSession(t.db, a.token)).toBeNull();
    // Flip the flag directly, as if the sessions were not deleted with it.
    await t.client.execute({ sql: 'update users set disabled_at = 1 where id = ?', args: [userId] });
    expect(await findSession(t.db, b.token)).toBeNull();
    await updateUser(t.db, userId, { disabled: false });
    expect(await findSession(t.db, b.token)).not.toBeNull();
  });

  it('forgets dead sessions', async () => {
    const start = Date.now();
    const idle = await createSession(t.db, userId, undefined, start - SESSION_IDLE_MS - 1);
    const live = await createSession(t.db, userId, undefined, start);
    await deleteDeadSessions(t.db, start);
    expect(await row(idle.id)).toBeUndefined();
    expect(await row(live.id)).toBeDefined();
  });
});
