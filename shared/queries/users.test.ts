import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { createSession, findSession } from './sessions';
import { createFirstOwner, createUser, deleteUser, findUserByEmail, noUsersYet, updateUser } from './users';

const HASH = 'scrypt$16$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('users queries', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  it('creates the first owner once, even when setups race', async () => {
    expect(await noUsersYet(t.db)).toBe(true);
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((x) => createFirstOwner(t.db, { email: `${x}@example.com`, name: x, passwordHash: HASH })),
    );
    const created = results.filter((r) => r !== null);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ role: 'owner', disabledAt: null, lastSignInAt: null });
    expect(typeof created[0]!.createdAt).toBe('number');
    expect(await noUsersYet(t.db)).toBe(false);
    expect(await createFirstOwner(t.db, { email: 'late@example.com', name: '', passwordHash: HASH })).toBeNull();
  });

  it('keeps addresses lower-cased and unique', async () => {
    const ann = await createUser(t.db, { email: ' Ann@Example.COM ', name: 'Ann', role: 'editor', passwordHash: HASH });
    expect(ann).toMatchObject({ email: 'ann@example.com' });
    expect(await createUser(t.db, { email: 'ANN@example.com', name: 'Ann 2', role: 'viewer', passwordHash: HASH })).toBeNull();
    expect(await findUserByEmail(t.db, 'ANN@EXAMPLE.COM ')).toMatchObject({ id: ann!.id, passwordHash: HASH });
  });

  it('never leaves the install without an enabled owner', async () => {
    const owner = (await createFirstOwner(t.db, { email: 'o@example.com', name: 'O', passwordHash: HASH }))!;
    expect(await updateUser(t.db, owner.id, { role: 'admin' })).toEqual({ error: 'last-owner' });
    expect(await updateUser(t.db, owner.id, { disabled: true })).toEqual({ error: 'last-owner' });
    expect(await deleteUser(t.db, owner.id)).toBe('last-owner');
    expect(await updateUser(t.db, owner.id, { name: 'Olga' })).toMatchObject({ user: { name: 'Olga', role: 'owner' } });

    // A disabled second owner does not count...
    const second = (await createUser(t.db, { email: 's@example.com', name: 'S', role: 'owner', passwordHash: HASH }))!;
    await updateUser(t.db, second.id, { disabled: true });
    expect(await deleteUser(t.db, owner.id)).toBe('last-owner');
    // ...an enabled one does; and of two owners demoting each other at once, one stays.
    await updateUser(t.db, second.id, { disabled: false });
    const both = await Promise.all([updateUser(t.db, owner.id, { role: 'admin' }), updateUser(t.db, second.id, { role: 'admin' })]);
    expect(both.filter((r) => 'user' in r)).toHaveLength(1);
    expect(both.filter((r) => 'error' in r)).toEqual([{ error: 'last-owner' }]);
    expect(await updateUser(t.db, 999, { name: 'x' })).toEqual({ error: 'not-found' });
    expect(await deleteUser(t.db, 999)).toBe('not-found');
  });

  it('ends sessions when a user is disabled, given a new password or deleted', async () => {
    await createFirstOwner(t.db, { email: 'o@example.com', name: 'O', passwordHash: HASH });
    const ed = (await createUser(t.db, { email: 'e@example.com', name: 'E', role: 'editor', passwordHash: HASH }))!;
    const count = async () => (await t.client.execute({ sql: 'select count(*) as n from sessions where user_id = ?', args: [ed.id] })).rows[0]!.n;

    const first = await createSession(t.db, ed.id, undefined);
    await updateUser(t.db, ed.id, { disabled: true });
    expect(await findSession(t.db, first.token)).toBeNull();
    expect(await count()).toBe(0);

    await updateUser(t.db, ed.id, { disabled: false });
    const second = await createSession(t.db, ed.id, undefined);
    expect(await findSession(t.db, second.token)).not.toBeNull();
    await updateUser(t.db, ed.id, { passwordHash: HASH.replace('$16$', '$32$') });
    expect(await findSession(t.db, second.token)).toBeNull();

    await createSession(t.db, ed.id, undefined);
    expect(await deleteUser(t.db, ed.id)).toBe('deleted');
    expect(await count()).toBe(0);
  });
});
