import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createImportRunner } from '../../sender/imports/import-runner';
import { createTestApp, type TestApp } from '../../test/helpers/app';
import { waitFor } from '../../test/helpers/sender';

describe('subscriber export', () => {
  let t: TestApp;
  let listId: number;
  beforeEach(async () => {
    t = await createTestApp();
    listId = (await t.api('POST', '/api/lists', { name: 'News' })).body.id;
  });
  afterEach(() => t.close());

  async function download(query = '') {
    const res = await t.request(`/api/subscribers/export${query}`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    // Decoded as the import does: res.text() would drop the byte-order mark this test checks.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return { res, text, records: res.ok ? (parse(text, { bom: true }) as string[][]) : [] };
  }

  it('streams every subscriber, page after page, with one column per attribute key', async () => {
    // 1,500 rows: more than one page of the stream.
    await t.database.client.execute(`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 1500)
      insert into subscribers (email, name, attributes, created_at)
      select 'p' || i || '@example.com', 'Person ' || i, json_object('city', 'City ' || i), 1767225600000 + i from n`);
    await t.database.client.execute(
      `update subscribers set name = '=HYPERLINK("http://evil.example")', attributes = '{"city":"Lyon, France","age":30,"email":"alt@example.com","tags":["a","b"]}' where id = 2`,
    );
    const { res, text, records } = await download();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(text.startsWith('\uFEFFemail,name,status,created_at,age,city,attributes.email,tags\r\n')).toBe(true);
    expect(records).toHaveLength(1501);
    expect(records[1]).toEqual(['p1@example.com', 'Person 1', 'active', '2026-01-01T00:00:00.001Z', '', 'City 1', '', '']);
    expect(records[2]).toEqual(['p2@example.com', `'=HYPERLINK("http://evil.example")`, 'active', '2026-01-01T00:00:00.002Z', '30', 'Lyon, France', 'alt@example.com', '["a","b"]']);
    expect(records[1500]![0]).toBe('p1500@example.com');
  });

  it('takes the filters of GET /api/subscribers, and adds the membership status for a list', async () => {
    const add = (email: string, attributes: object, lists: number[] = []) => t.api('POST', '/api/subscribers', { email, attributes, lists });
    await add('ann@example.com', { city: 'Lyon', vip: true }, [listId]);
    await add('bob@example.com', { city: 'Paris' }, [listId]);
    await add('cy@example.com', { city: 'Lyon' });

    const list = await download(`?list=${listId}`);
    expect(list.res.headers.get('content-disposition')).toMatch(new RegExp(`filename="list-${listId}-subscribers-`));
    expect(list.records.map((r) => [r[0], r[3]])).toEqual([
      ['email', 'list_status'],
      ['ann@example.com', 'subscribed'],
      ['bob@example.com', 'subscribed'],
    ]);
    expect((await download('?attr.city=Lyon')).records.map((r) => r[0])).toEqual(['email', 'ann@example.com', 'cy@example.com']);
    expect((await download(`?list=${listId}&attr.vip=true`)).records.map((r) => r[0])).toEqual(['email', 'ann@example.com']);
    expect((await download('?listStatus=subscribed')).res.status).toBe(400);
    expect((await download('?attr.a"b=1')).res.status).toBe(400);
  });

  it('exports a file the import reads back as the same subscribers', async () => {
    for (const [i, city] of ['Lyon', '=1+1', 'Nice, "Côte d’Azur"'].entries()) {
      await t.api('POST', '/api/subscribers', { email: `p${i}@example.com`, name: `Person ${i}`, attributes: { city, email: `alt${i}@example.com` }, lists: [listId] });
    }
    const exported = await download(`?list=${listId}`);

    const other = await createTestApp();
    try {
      const otherList = (await other.api('POST', '/api/lists', { name: 'Copy' })).body.id;
      const auth = { authorization: `Bearer ${other.apiKey}` };
      const file = () => {
        const data = new FormData();
        data.append('file', new File([exported.text], 'export.csv'));
        return data;
      };
      const preview = (await (await other.request('/api/subscribers/import/preview', { method: 'POST', headers: auth, body: file() })).json()) as { suggestedMapping: object };
      const body = file();
      body.append('listIds', JSON.stringify([otherList]));
      body.append('mapping', JSON.stringify(preview.suggestedMapping));
      body.append('options', JSON.stringify({ existing: 'update' }));
      const job = (await (await other.request('/api/subscribers/import', { method: 'POST', headers: auth, body })).json()) as { id: number };
      const runner = createImportRunner({ db: other.deps.db, senderId: 'test', leaseMs: 30_000, idleMs: 20 });
      runner.start();
      try {
        await waitFor('the import', async () => ((await other.api('GET', `/api/subscribers/import/${job.id}`)).body.status === 'done' ? true : undefined));
      } finally {
        await runner.stop();
      }
      const pick = (s: { email: string; name: string; attributes: object }) => [s.email, s.name, s.attributes];
      const original = (await t.api('GET', `/api/subscribers?list=${listId}`)).body.data.map(pick);
      expect((await other.api('GET', `/api/subscribers?list=${otherList}`)).body.data.map(pick)).toEqual(original);
    } finally {
      other.close();
    }
  });
});
