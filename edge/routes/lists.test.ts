import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app';

describe('lists API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('creates, reads, renames and deletes a list', async () => {
    const created = await t.api('POST', '/api/lists', { name: '  Newsletter ', optin: 'double' });
    expect(created.status).toBe(201);
    const list = created.body;
    expect(list).toMatchObject({ name: 'Newsletter', optin: 'double', counts: { subscribed: 0, unconfirmed: 0, unsubscribed: 0 } });
    expect(new Date(list.createdAt).toISOString()).toBe(list.createdAt);

    expect((await t.api('GET', `/api/lists/${list.id}`)).body).toEqual(list);

    const patched = await t.api('PATCH', `/api/lists/${list.id}`, { name: 'Weekly' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: list.id, name: 'Weekly', optin: 'double' });

    expect((await t.api('DELETE', `/api/lists/${list.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/lists/${list.id}`)).status).toBe(404);
    expect((await t.api('DELETE', `/api/lists/${list.id}`)).status).toBe(404);
  });

  it('defaults to single opt-in', async () => {
    expect((await t.api('POST', '/api/lists', { name: 'A' })).body).toMatchObject({ optin: 'single' });
  });

  it('counts members per status', async () => {
    const list = (await t.api('POST', '/api/lists', { name: 'A' })).body;
    await t.api('POST', '/api/subscribers', { email: 'a@example.com', lists: [list.id] });
    await t.api('POST', '/api/subscribers', { email: 'b@example.com', lists: [list.id] });
    const c = (await t.api('POST', '/api/subscribers', { email: 'c@example.com', lists: [list.id] })).body;
    await t.database.client.execute({ sql: "update list_members set status = 'unsubscribed' where subscriber_id = ?", args: [c.id] });
    await t.api('POST', '/api/lists', { name: 'Empty' });

    const page = (await t.api('GET', '/api/lists')).body;
    expect(page.nextCursor).toBeNull();
    expect(page.data.map((l: { name: string; counts: unknown }) => [l.name, l.counts])).toEqual([
      ['A', { subscribed: 2, unconfirmed: 0, unsubscribed: 1 }],
      ['Empty', { subscribed: 0, unconfirmed: 0, unsubscribed: 0 }],
    ]);
  });

  it('pages through lists with a cursor', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await t.api('POST', '/api/lists', { name });
    const first = (await t.api('GET', '/api/lists?limit=2')).body;
    expect(first.data.map((l: { name: string }) => l.name)).toEqual(['a', 'b']);
    const second = (await t.api('GET', `/api/lists?limit=2&cursor=${first.nextCursor}`)).body;
    expect(second.data.map((l: { name: string }) => l.name)).toEqual(['c', 'd']);
    const last = (await t.api('GET', `/api/lists?limit=2&cursor=${second.nextCursor}`)).body;
    expect(last).toMatchObject({ data: [{ name: 'e' }], nextCursor: null });
  });

  it('refuses bad input with the field and the problem', async () => {
    const empty = await t.api('POST', '/api/lists', { name: ' ', optin: 'triple' });
    expect(empty.status).toBe(400);
    const body = empty.body;
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'optin']);

    const typo = await t.api('POST', '/api/lists', { name: 'A', optIn: 'double' });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toContain('optIn');

    expect((await t.api('PATCH', '/api/lists/1', {})).status).toBe(400);
    expect((await t.api('GET', '/api/lists/abc')).status).toBe(400);
    expect((await t.api('GET', '/api/lists?limit=0')).status).toBe(400);
    expect((await t.api('GET', '/api/lists?cursor=x')).status).toBe(400);
    expect((await t.api('PATCH', '/api/lists/999', { name: 'x' })).status).toBe(404);
  });

  it('requires the API key', async () => {
    expect((await t.request('/api/lists')).status).toBe(401);
  });

  it('keeps a list a campaign names', async () => {
    const list = (await t.api('POST', '/api/lists', { name: 'A' })).body;
    await t.database.client.execute(
      `insert into campaigns (id, name, subject, from_address, format, body) values (7, 'c', 's', 'a@example.com', 'text', 'hi')`,
    );
    await t.database.client.execute({ sql: 'insert into campaign_lists (campaign_id, list_id) values (7, ?)', args: [list.id] });
    const res = await t.api('DELETE', `/api/lists/${list.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('campaign(s) 7');
    expect((await t.api('GET', `/api/lists/${list.id}`)).status).toBe(200);
  });
});
