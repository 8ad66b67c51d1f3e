import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app';

describe('subscribers API', () => {
  let t: TestApp;
  let single: number;
  let double: number;
  beforeEach(async () => {
    t = await createTestApp();
    single = (await t.api('POST', '/api/lists', { name: 'Single' })).body.id;
    double = (await t.api('POST', '/api/lists', { name: 'Double', optin: 'double' })).body.id;
  });
  afterEach(() => t.close());

  const count = async (table: string) => Number((await t.database.client.execute(`select count(*) as n from ${table}`)).rows[0]!.n);

  it('creates a subscriber with a normalised address and its memberships', async () => {
    const { status, body } = await t.api('POST', '/api/subscribers', {
      email: '  Ada.Lovelace@Example.COM ',
      name: 'Ada',
      attributes: { city: 'London' },
      lists: [single, double],
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ email: 'ada.lovelace@example.com', name: 'Ada', attributes: { city: 'London' }, status: 'active' });
    // Double opt-in lists start unconfirmed: there is no confirmation yet.
    expect(body.lists.map((m: { listName: string; status: string }) => [m.listName, m.status])).toEqual([
      ['Single', 'subscribed'],
      ['Double', 'unconfirmed'],
    ]);
    expect((await t.api('GET', `/api/subscribers/${body.id}`)).body).toEqual(body);
  });

  it('adds to double opt-in lists as subscribed with preconfirm', async () => {
    const { body } = await t.api('POST', '/api/subscribers', { email: 'a@example.com', lists: [double], preconfirm: true });
    expect(body.lists).toMatchObject([{ listId: double, status: 'subscribed' }]);
  });

  it('refuses an invalid address, naming the field', async () => {
    for (const email of ['not-an-email', 'a@b', '', 'a b@example.com', `${'x'.repeat(250)}@example.com`]) {
      const { status, body } = await t.api('POST', '/api/subscribers', { email });
      expect(status, email).toBe(400);
      expect(body.error.details[0].path).toBe('email');
    }
    expect(await count('subscribers')).toBe(0);
  });

  it('refuses unknown list ids, naming each, and writes nothing', async () => {
    const { status, body } = await t.api('POST', '/api/subscribers', { email: 'a@example.com', lists: [single, 998, 999] });
    expect(status).toBe(400);
    expect(body.error.message).toContain('998, 999');
    expect(body.error.details).toEqual([
      { path: 'lists.1', message: 'no list with id 998' },
      { path: 'lists.2', message: 'no list with id 999' },
    ]);
    expect(await count('subscribers')).toBe(0);
    expect(await count('list_members')).toBe(0);
  });

  it('answers a duplicate address with 409 and the existing id, whatever its case', async () => {
    const first = (await t.api('POST', '/api/subscribers', { email: 'a@example.com' })).body;
    const { status, body } = await t.api('POST', '/api/subscribers', { email: 'A@Example.com', lists: [single] });
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ code: 'CONFLICT', existingId: first.id });
    expect(await count('list_members')).toBe(0);
  });

  it('rejects unknown fields and bad types', async () => {
    const { status, body } = await t.api('POST', '/api/subscribers', { email: 'a@example.com', attributes: [1], lists: ['x'], status: 'gone' });
    expect(status).toBe(400);
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['attributes', 'lists.0', 'status']);
    expect((await t.api('POST', '/api/subscribers', { email: 'a@example.com', list: [single] })).status).toBe(400);
    expect((await t.api('POST', '/api/subscribers', { email: 'a@example.com', lists: [single, single] })).status).toBe(400);
  });

  it('merges attributes by default and replaces them on request', async () => {
    const { id } = (await t.api('POST', '/api/subscribers', { email: 'a@example.com', attributes: { city: 'Lyon', plan: { tier: 'pro', seats: 3 } } })).body;
    const merged = await t.api('PATCH', `/api/subscribers/${id}`, { attributes: { plan: { seats: 5 }, city: null, vip: true } });
    expect(merged.status).toBe(200);
    expect(merged.body.attributes).toEqual({ plan: { tier: 'pro', seats: 5 }, vip: true });
    const replaced = await t.api('PATCH', `/api/subscribers/${id}`, { attributes: { lang: 'fr' }, attributesMode: 'replace' });
    expect(replaced.body.attributes).toEqual({ lang: 'fr' });
  });

  it('adds and removes lists, keeping an existing unsubscribe', async () => {
    const { id } = (await t.api('POST', '/api/subscribers', { email: 'a@example.com', lists: [single] })).body;
    await t.database.client.execute({ sql: "update list_members set status = 'unsubscribed' where subscriber_id = ?", args: [id] });
    const third = (await t.api('POST', '/api/lists', { name: 'Third' })).body.id;

    const { status, body } = await t.api('PATCH', `/api/subscribers/${id}`, { name: 'Ada', status: 'blocklisted', lists: { add: [single, third] } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'Ada', status: 'blocklisted' });
    expect(body.lists.map((m: { listId: number; status: string }) => [m.listId, m.status])).toEqual([
      [single, 'unsubscribed'],
      [third, 'subscribed'],
    ]);

    const removed = await t.api('PATCH', `/api/subscribers/${id}`, { lists: { remove: [single] } });
    expect(removed.body.lists.map((m: { listId: number }) => m.listId)).toEqual([third]);
  });

  it('refuses a patch with unknown lists, a taken address or a contradiction, changing nothing', async () => {
    const a = (await t.api('POST', '/api/subscribers', { email: 'a@example.com', name: 'A' })).body;
    await t.api('POST', '/api/subscribers', { email: 'b@example.com' });

    const unknown = await t.api('PATCH', `/api/subscribers/${a.id}`, { name: 'changed', lists: { add: [single, 404] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: 'lists.add.1', message: 'no list with id 404' }]);

    const taken = await t.api('PATCH', `/api/subscribers/${a.id}`, { email: 'B@example.com', name: 'changed', lists: { add: [single] } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.existingId).toBe(a.id + 1);

    const both = await t.api('PATCH', `/api/subscribers/${a.id}`, { lists: { add: [single], remove: [single] } });
    expect(both.status).toBe(400);
    expect(both.body.error.details[0].path).toBe('lists');

    // The batch was rolled back whole: neither the name nor the membership changed.
    expect((await t.api('GET', `/api/subscribers/${a.id}`)).body).toMatchObject({ name: 'A', email: 'a@example.com', lists: [] });
    expect((await t.api('PATCH', '/api/subscribers/999', { name: 'x' })).status).toBe(404);
  });

  it('pages and filters by list, membership status, status and address', async () => {
    for (const [i, email] of ['ann@shop.example', 'bob@mail.example', 'cy@shop.example', 'di_x@shop.example'].entries()) {
      await t.api('POST', '/api/subscribers', { email, lists: i % 2 === 0 ? [single] : [double], status: i === 2 ? 'blocklisted' : 'active' });
    }
    const emails = async (query: string) => {
      const { status, body } = await t.api('GET', `/api/subscribers${query}`);
      expect(status, query).toBe(200);
      return body.data.map((s: { email: string }) => s.email);
    };
    expect(await emails(`?list=${single}`)).toEqual(['ann@shop.example', 'cy@shop.example']);
    expect(await emails(`?list=${double}&listStatus=unconfirmed`)).toEqual(['bob@mail.example', 'di_x@shop.example']);
    expect(await emails(`?list=${double}&listStatus=subscribed`)).toEqual([]);
    expect(await emails('?status=blocklisted')).toEqual(['cy@shop.example']);
    expect(await emails('?search=SHOP')).toEqual(['ann@shop.example', 'cy@shop.example', 'di_x@shop.example']);
    // LIKE wildcards in the search are literal characters.
    expect(await emails('?search=_x')).toEqual(['di_x@shop.example']);
    expect(await emails('?search=%25')).toEqual([]);

    const first = (await t.api('GET', '/api/subscribers?limit=3')).body;
    expect(first.data).toHaveLength(3);
    const rest = (await t.api('GET', `/api/subscribers?limit=3&cursor=${first.nextCursor}`)).body;
    expect(rest).toMatchObject({ data: [{ email: 'di_x@shop.example' }], nextCursor: null });

    expect((await t.api('GET', '/api/subscribers?listStatus=subscribed')).status).toBe(400);
    expect((await t.api('GET', '/api/subscribers?status=gone')).status).toBe(400);
  });

  it('searches names as well as addresses, and filters by attributes', async () => {
    const add = (email: string, name: string, attributes: object) => t.api('POST', '/api/subscribers', { email, name, attributes, lists: [single] });
    await add('ann@shop.example', 'Ann Lee', { city: 'Lyon', age: 30, vip: true });
    await add('bob@mail.example', 'Bob Leeds', { city: 'Paris', age: '30' });
    await add('cy@lee.example', 'Cy', { city: 'Lyon', vip: false });
    const emails = async (query: string) => {
      const { status, body } = await t.api('GET', `/api/subscribers${query}`);
      expect(status, query).toBe(200);
      return body.data.map((s: { email: string }) => s.email);
    };
    expect(await emails('?search=lee')).toEqual(['ann@shop.example', 'bob@mail.example', 'cy@lee.example']);
    expect(await emails('?search=LEEDS')).toEqual(['bob@mail.example']);
    expect(await emails('?attr.city=Lyon')).toEqual(['ann@shop.example', 'cy@lee.example']);
    // A number or boolean matches by its JSON text, as a string attribute does by its value.
    expect(await emails('?attr.age=30')).toEqual(['ann@shop.example', 'bob@mail.example']);
    expect(await emails('?attr.vip=true')).toEqual(['ann@shop.example']);
    expect(await emails(`?attr.city=Lyon&attr.vip=false&list=${single}&search=cy`)).toEqual(['cy@lee.example']);
    expect(await emails('?attr.country=France')).toEqual([]);

    const bad = await t.api('GET', '/api/subscribers?attr.city=Lyon&attr.city=Paris&attr.=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['attr.city', 'attr.']);
  });

  it('deletes a subscriber with its memberships', async () => {
    const { id } = (await t.api('POST', '/api/subscribers', { email: 'a@example.com', lists: [single] })).body;
    expect((await t.api('DELETE', `/api/subscribers/${id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/subscribers/${id}`)).status).toBe(404);
    expect(await count('list_members')).toBe(0);
    expect((await t.api('DELETE', `/api/subscribers/${id}`)).status).toBe(404);
  });
});
