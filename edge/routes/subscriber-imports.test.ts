import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type ApiResult, type TestApp } from '../../test/helpers/app';
import { waitFor } from '../../test/helpers/sender';
import { createImportRunner } from '../../sender/imports/import-runner';
import { MAX_IMPORT_BYTES } from './subscriber-imports';

describe('subscriber imports API', () => {
  let t: TestApp;
  let listId: number;
  beforeEach(async () => {
    t = await createTestApp();
    listId = (await t.api('POST', '/api/lists', { name: 'News' })).body.id;
  });
  afterEach(() => t.close());

  async function post(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<ApiResult> {
    const res = await t.request(path, { method: 'POST', headers: { authorization: `Bearer ${t.apiKey}`, ...headers }, body });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  function form(file: BlobPart | null, fields: Record<string, string> = {}): FormData {
    const data = new FormData();
    if (file !== null) data.append('file', new File([file], 'people.csv', { type: 'text/csv' }));
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    return data;
  }

  const importFields = (mapping: Record<string, string> = { Email: 'email', Name: 'name' }) => ({
    listIds: JSON.stringify([listId]),
    mapping: JSON.stringify(mapping),
    options: JSON.stringify({ existing: 'update' }),
  });

  describe('preview', () => {
    it('reads a semicolon file with a byte-order mark: columns, the first ten rows and a suggested mapping', async () => {
      const rows = Array.from({ length: 12 }, (_, i) => `p${i}@example.com;"Name; ${i}";Lyon\r\n`).join('');
      const { status, body } = await post('/api/subscribers/import/preview', form(`\uFEFFE-mail;Full name;Ville\r\n${rows}`));
      expect(status).toBe(200);
      expect(body).toMatchObject({
        fileName: 'people.csv',
        encoding: 'utf-8',
        delimiter: ';',
        columns: ['E-mail', 'Full name', 'Ville'],
        suggestedMapping: { 'E-mail': 'email', 'Full name': 'name', Ville: 'attributes.ville' },
      });
      expect(body.rows).toHaveLength(10);
      expect(body.rows[0]).toEqual(['p0@example.com', 'Name; 0', 'Lyon']);
    });

    it("takes a text/csv body too: Excel's UTF-16 tab-separated text", async () => {
      const text = 'Email\tCity\r\nzoé@example.com\tOrléans\r\n';
      const bytes = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Uint16Array.from(text, (c) => c.charCodeAt(0)).buffer)]);
      const { status, body } = await post('/api/subscribers/import/preview', bytes, { 'content-type': 'text/csv' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ encoding: 'utf-16le', delimiter: '\t', columns: ['Email', 'City'], rows: [['zoé@example.com', 'Orléans']] });
    });

    it('reads with the delimiter the caller gives', async () => {
      const { body } = await post('/api/subscribers/import/preview?delimiter=%3B', 'a,b;c\n1,2;3\n', { 'content-type': 'text/csv' });
      expect(body.columns).toEqual(['a,b', 'c']);
    });

    it('says what is wrong with a file it cannot read, or a request without one', async () => {
      const broken = await post('/api/subscribers/import/preview', form('email,name\na@example.com,"Ann\n'));
      expect(broken.status).toBe(400);
      expect(broken.body.error.details).toEqual([{ path: 'file', message: expect.stringMatching(/^A quoted field is never closed \(line \d\)/) }]);
      expect((await post('/api/subscribers/import/preview', form(null))).body.error.details).toEqual([{ path: 'file', message: 'required' }]);
      expect((await post('/api/subscribers/import/preview', '{}', { 'content-type': 'application/json' })).status).toBe(415);
    });
  });

  describe('start', () => {
    it('names every problem at once and stores nothing', async () => {
      const { status, body } = await post(
        '/api/subscribers/import',
        form('Email,Name\na@example.com,Ann\n', { listIds: `[${listId}, 404]`, mapping: '{"Name": "name", "Mail": "email"}', options: '{"existing": "merge"}' }),
      );
      expect(status).toBe(400);
      expect(body.error.details).toEqual([
        { path: 'options.existing', message: expect.stringContaining('existing must be "update"') },
        { path: 'listIds.1', message: 'no list with id 404; create it with POST /api/lists first' },
        { path: 'mapping.Mail', message: 'the file has no column "Mail"; its columns are "Email", "Name"' },
      ]);
      expect(body.error.message).toMatch(/^The import was not started: options.existing: /);
      const missing = await post('/api/subscribers/import', form(null, { mapping: 'not json' }));
      expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(['listIds', 'mapping', 'options', 'file']);
      const headerOnly = await post('/api/subscribers/import', form('Email,Name\n', importFields()));
      expect(headerOnly.body.error.details).toEqual([{ path: 'file', message: 'the file has a header line but no rows below it' }]);
      expect((await t.api('GET', '/api/subscribers/imports')).body.data).toEqual([]);
    });

    it(`refuses a file over ${MAX_IMPORT_BYTES / 1024 / 1024} MB with 413, saying the limit`, async () => {
      // Just over the limit (the file's size is checked), and far over it (the body's length is).
      const justOver = await post('/api/subscribers/import', form(new Uint8Array(MAX_IMPORT_BYTES + 1), importFields()));
      expect(justOver.status).toBe(413);
      expect(justOver.body.error.message).toBe(
        'The file is 52,428,801 bytes; the largest import is 50 MB (52,428,800 bytes). Split the file and import the parts one after another.',
      );
      const farOver = await post('/api/subscribers/import', form(new Uint8Array(MAX_IMPORT_BYTES + 2 * 1024 * 1024), importFields()));
      expect(farOver.status).toBe(413);
      expect(farOver.body.error.message).toMatch(/^The upload is larger than 50 MB \(52,428,800 bytes\)\./);
    });

    it('stores a pending job, lists it, shows it and cancels it', async () => {
      const first = await post('/api/subscribers/import', form('Email,Name\na@example.com,Ann\n', importFields()));
      expect(first.status).toBe(202);
      expect(first.headers.get('location')).toBe(`/api/subscribers/import/${first.body.id}`);
      expect(first.body).toMatchObject({
        status: 'pending',
        fileName: 'people.csv',
        listIds: [listId],
        mapping: { Email: 'email', Name: 'name' },
        options: { existing: 'update', delimiter: ',', encoding: 'utf-8' },
        totalRows: 0,
        skippedRows: 0,
        rejects: [],
      });
      const second = (await post('/api/subscribers/import', form('Email\nb@example.com\n', importFields({ Email: 'email' })))).body;
      const page = (await t.api('GET', '/api/subscribers/imports?limit=1')).body;
      expect(page.data.map((j: { id: number }) => j.id)).toEqual([second.id]);
      expect(page.data[0].rejects).toBeUndefined();
      expect((await t.api('GET', `/api/subscribers/imports?cursor=${page.nextCursor}`)).body.data.map((j: { id: number }) => j.id)).toEqual([first.body.id]);

      expect((await t.api('GET', `/api/subscribers/import/${first.body.id}`)).body).toEqual(first.body);
      const cancelled = await t.api('DELETE', `/api/subscribers/import/${first.body.id}`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', error: 'Cancelled after 0 of 0 rows; rows already imported stay.' });
      expect((await t.api('DELETE', `/api/subscribers/import/${first.body.id}`)).status).toBe(409);
      expect((await t.api('GET', '/api/subscribers/import/999')).status).toBe(404);
    });
  });

  it('imports end to end: the sender writes the good rows to the list and reports the bad one', async () => {
    const csv = 'Email,First name,Last name,City\r\nann@example.com,Ann,Lee,Lyon\r\nnot an address,Bad,Row,Nowhere\r\nBOB@example.com,Bob,,"Paris, France"\r\n';
    const started = await post('/api/subscribers/import', form(csv, importFields({ Email: 'email', 'First name': 'name', 'Last name': 'name', City: 'attributes.city' })));
    expect(started.status).toBe(202);

    const runner = createImportRunner({ db: t.deps.db, senderId: 'test-sender', leaseMs: 30_000, idleMs: 20 });
    runner.start();
    let job;
    try {
      job = await waitFor('the import to finish', async () => {
        const { body } = await t.api('GET', `/api/subscribers/import/${started.body.id}`);
        return ['done', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
      });
    } finally {
      await runner.stop();
    }
    expect(job).toMatchObject({ status: 'done', totalRows: 3, processedRows: 3, insertedRows: 2, rejectedRows: 1, skippedRows: 0, error: null });
    expect(job.rejects).toEqual([{ row: 3, reason: 'email "not an address": email must be an address like name@example.com' }]);
    expect(job.finishedAt).not.toBeNull();

    const members = (await t.api('GET', `/api/subscribers?list=${listId}&listStatus=subscribed`)).body.data;
    expect(members.map((s: { email: string; name: string; attributes: object }) => [s.email, s.name, s.attributes])).toEqual([
      ['ann@example.com', 'Ann Lee', { city: 'Lyon' }],
      ['bob@example.com', 'Bob', { city: 'Paris, France' }],
    ]);
  });
});
