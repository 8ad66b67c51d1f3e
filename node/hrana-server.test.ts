// The Hrana server against the real `@libsql/client/web` (the client the Worker uses), plus
// raw protocol requests for what that client never sends (v3, cursors, describe, bad input).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { createClient as createFileClient } from '@libsql/client';
import { createClient, type Client } from '@libsql/client/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHranaServer, type HranaServer } from './hrana-server';

let dir: string;
let file: string;
let server: HranaServer;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgepost-hrana-'));
  file = join(dir, 'hrana.db');
  server = await startHranaServer({ file, streamIdleSeconds: 0.5 });
  client = createClient({ url: server.url, intMode: 'bigint' });
  await client.executeMultiple(`
    create table items (id integer primary key, name text not null unique, qty integer, data blob, price real);
    create table log (id integer primary key, note text);`);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One raw pipeline request, for what the client library does not expose. */
async function pipeline(body: unknown, version = 'v3') {
  const res = await fetch(`${server.url}/${version}/pipeline`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('Hrana server with @libsql/client/web', () => {
  it('binds positional and named arguments', async () => {
    await client.execute({ sql: 'insert into items (name, qty) values (?, ?)', args: ['positional', 3n] });
    await client.execute({ sql: 'insert into items (name, qty) values (:name, @qty)', args: { name: 'named', qty: 4n } });
    await client.execute({ sql: 'insert into items (name, qty) values ($name, :qty)', args: { $name: 'dollar', ':qty': 5n } });
    const rs = await client.execute({ sql: 'select name, qty from items where qty >= :min order by qty', args: { ':min': 3n } });
    expect(rs.rows.map((r) => [r.name, r.qty])).toEqual([
      ['positional', 3n],
      ['named', 4n],
      ['dollar', 5n],
    ]);
    expect(rs.columns).toEqual(['name', 'qty']);
    expect(rs.columnTypes).toEqual(['TEXT', 'INTEGER']);
  });

  it('reports rows affected and the last rowid of a write, and none for a read', async () => {
    const insert = await client.execute({ sql: 'insert into log (note) values (?)', args: ['a'] });
    expect(insert.rowsAffected).toBe(1);
    expect(insert.lastInsertRowid).toBeTypeOf('bigint');
    const update = await client.execute("update log set note = 'b'");
    expect(update.rowsAffected).toBe(1);
    const read = await client.execute('select * from log');
    expect(read.rowsAffected).toBe(0);
  });

  it('round-trips integers beyond 2^53, blobs, floats and nulls exactly', async () => {
    const big = 2n ** 62n + 1n;
    const blob = new Uint8Array([0, 1, 2, 250, 255]);
    await client.execute({ sql: 'insert into items (id, name, qty, data, price) values (?, ?, ?, ?, ?)', args: [big, 'big', -big, blob, 1.25] });
    await client.execute({ sql: 'insert into items (name, qty, data, price) values (?, ?, ?, ?)', args: ['nulls', null, null, null] });
    const rs = await client.execute({ sql: 'select id, qty, data, price from items where name = ?', args: ['big'] });
    expect(rs.rows[0]!.id).toBe(big);
    expect(rs.rows[0]!.qty).toBe(-big);
    expect(new Uint8Array(rs.rows[0]!.data as ArrayBuffer)).toEqual(blob);
    expect(rs.rows[0]!.price).toBe(1.25);
    const nulls = await client.execute({ sql: 'select qty, data, price, ? as p from items where name = ?', args: [null, 'nulls'] });
    expect(nulls.rows[0]).toMatchObject({ qty: null, data: null, price: null, p: null });
    const last = await client.execute({ sql: 'insert into items (id, name) values (?, ?)', args: [2n ** 63n - 1n, 'max'] });
    expect(last.lastInsertRowid).toBe(2n ** 63n - 1n);
  });

  it('runs a batch in one transaction and rolls all of it back when a statement fails', async () => {
    const ok = await client.batch(
      [
        { sql: 'insert into log (note) values (?)', args: ['batch-1'] },
        { sql: 'insert into log (note) values (?)', args: ['batch-2'] },
      ],
      'write',
    );
    expect(ok.map((r) => r.rowsAffected)).toEqual([1, 1]);
    await expect(
      client.batch(
        [
          { sql: 'insert into log (note) values (?)', args: ['doomed'] },
          { sql: 'insert into items (name) values (?)', args: ['positional'] }, // UNIQUE violation
        ],
        'write',
      ),
    ).rejects.toThrow(/UNIQUE constraint failed: items.name/);
    const notes = await client.execute("select note from log where note in ('batch-1', 'batch-2', 'doomed') order by note");
    expect(notes.rows.map((r) => r.note)).toEqual(['batch-1', 'batch-2']);
  });

  it('commits and rolls back interactive transactions', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'insert into log (note) values (?)', args: ['committed'] });
    const inside = await tx.execute("select count(*) as n from log where note = 'committed'");
    expect(inside.rows[0]!.n).toBe(1n);
    await tx.commit();

    const rolled = await client.transaction('write');
    await rolled.execute({ sql: 'insert into log (note) values (?)', args: ['rolled-back'] });
    await rolled.rollback();

    const rs = await client.execute("select note from log where note in ('committed', 'rolled-back')");
    expect(rs.rows.map((r) => r.note)).toEqual(['committed']);
  });

  it('makes a second writer wait for an open transaction instead of failing or deadlocking', async () => {
    const other = createClient({ url: server.url, intMode: 'bigint' });
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'insert into log (note) values (?)', args: ['first'] });
    const second = other.execute({ sql: 'insert into log (note) values (?)', args: ['second'] });
    await new Promise((r) => setTimeout(r, 50));
    await tx.execute({ sql: 'insert into log (note) values (?)', args: ['first-again'] });
    await tx.commit();
    await second;
    const rs = await client.execute("select note from log where note in ('first', 'first-again', 'second') order by id");
    expect(rs.rows.map((r) => r.note)).toEqual(['first', 'first-again', 'second']);
    other.close();
  });

  it('commits autocommit writes to the file the Node client opens, named arguments included', async () => {
    // Named arguments make the server EXPLAIN the statement; a leftover active EXPLAIN once
    // kept later autocommit writes uncommitted, visible only on the server's own connection.
    await client.execute({ sql: 'insert into log (note) values (:note)', args: { note: 'shared-named' } });
    await client.execute({ sql: 'insert into log (note) values (?)', args: ['shared-file'] });
    const local = createFileClient({ url: `file:${file}` });
    const rs = await local.execute("select note from log where note like 'shared-%' order by id");
    expect(rs.rows.map((r) => r.note)).toEqual(['shared-named', 'shared-file']);
    local.close();
  });
});

describe('Hrana protocol details', () => {
  it('evaluates batch conditions, including a failing step and is_autocommit', async () => {
    const { status, body } = await pipeline({
      baton: null,
      requests: [
        {
          type: 'batch',
          batch: {
            steps: [
              { stmt: { sql: 'select 1' } },
              { stmt: { sql: 'select * from no_such_table' } },
              { condition: { type: 'error', step: 1 }, stmt: { sql: "select 'ran after error'" } },
              { condition: { type: 'ok', step: 1 }, stmt: { sql: "select 'skipped'" } },
              { condition: { type: 'and', conds: [{ type: 'is_autocommit' }, { type: 'not', cond: { type: 'ok', step: 3 } }] }, stmt: { sql: 'select 2' } },
              { condition: { type: 'or', conds: [] }, stmt: { sql: 'select 3' } },
            ],
          },
        },
        { type: 'close' },
      ],
    });
    expect(status).toBe(200);
    expect(body.baton).toBeNull();
    const result = body.results[0].response.result;
    expect(result.step_results.map((r: any) => r?.rows[0]?.[0]?.value ?? null)).toEqual(['1', null, 'ran after error', null, '2', null]);
    expect(result.step_errors[1]).toMatchObject({ message: expect.stringMatching(/no such table/), code: 'SQLITE_ERROR' });
    expect(result.step_errors.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a condition on a later step before running any step', async () => {
    const { body } = await pipeline({
      baton: null,
      requests: [{ type: 'batch', batch: { steps: [{ condition: { type: 'ok', step: 0 }, stmt: { sql: "insert into log (note) values ('never')" } }] } }, { type: 'close' }],
    });
    expect(body.results[0]).toMatchObject({ type: 'error', error: { code: 'BATCH_COND_INVALID' } });
    const rs = await client.execute("select count(*) as n from log where note = 'never'");
    expect(rs.rows[0]!.n).toBe(0n);
  });

  it('stores and closes SQL texts, describes statements and reports autocommit across batons', async () => {
    const first = await pipeline({
      baton: null,
      requests: [
        { type: 'store_sql', sql_id: 7, sql: 'select name, ?2 as two from items where name = :name' },
        { type: 'describe', sql_id: 7 },
        { type: 'execute', stmt: { sql_id: 7, args: [{ type: 'null' }, { type: 'integer', value: '2' }], named_args: [{ name: 'name', value: { type: 'text', value: 'named' } }] } },
        { type: 'describe', sql: "insert into log (note) values ('x')" },
        { type: 'sequence', sql: 'begin; insert into log (note) values (1)' },
        { type: 'get_autocommit' },
      ],
    });
    const [, describe, execute, describeWrite, , autocommit] = first.body.results;
    expect(describe.response.result).toEqual({
      // SQLite's numbering: ?2 takes index 2, so :name comes after it and ?1 is nameless.
      params: [{ name: null }, { name: '?2' }, { name: ':name' }],
      cols: [
        { name: 'name', decltype: 'TEXT' },
        { name: 'two', decltype: null },
      ],
      is_explain: false,
      is_readonly: true,
    });
    expect(execute.response.result.rows).toEqual([[{ type: 'text', value: 'named' }, { type: 'integer', value: '2' }]]);
    expect(describeWrite.response.result.is_readonly).toBe(false);
    expect(autocommit.response).toEqual({ type: 'get_autocommit', is_autocommit: false });
    expect(first.body.baton).toEqual(expect.any(String));

    const second = await pipeline({
      baton: first.body.baton,
      requests: [{ type: 'close_sql', sql_id: 7 }, { type: 'execute', stmt: { sql_id: 7 } }, { type: 'sequence', sql: 'rollback' }, { type: 'get_autocommit' }, { type: 'close' }],
    });
    expect(second.body.results[1]).toMatchObject({ type: 'error', error: { code: 'SQL_ID_UNKNOWN' } });
    expect(second.body.results[3].response.is_autocommit).toBe(true);
    expect(second.body.baton).toBeNull();

    // A baton works once.
    const reused = await pipeline({ baton: first.body.baton, requests: [{ type: 'get_autocommit' }] });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('STREAM_EXPIRED');
  });

  it('answers version probes and serves a v2 pipeline and a v3 cursor', async () => {
    expect((await fetch(`${server.url}/v2`)).status).toBe(200);
    expect((await fetch(`${server.url}/v3`)).status).toBe(200);
    expect((await fetch(`${server.url}/v3-protobuf`)).status).toBe(404);
    const v2 = await pipeline({ baton: null, requests: [{ type: 'execute', stmt: { sql: 'select 40 + 2' } }, { type: 'close' }] }, 'v2');
    expect(v2.body.results[0].response.result.rows).toEqual([[{ type: 'integer', value: '42' }]]);

    const res = await fetch(`${server.url}/v3/cursor`, {
      method: 'POST',
      body: JSON.stringify({ baton: null, batch: { steps: [{ stmt: { sql: 'select 1 as a union all select 2' } }, { stmt: { sql: 'select nope' } }] } }),
    });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ baton: expect.any(String), base_url: null });
    expect(lines.slice(1).map((e) => e.type)).toEqual(['step_begin', 'row', 'row', 'step_end', 'step_error']);
    await pipeline({ baton: lines[0].baton, requests: [{ type: 'close' }] });
  });

  it('names the field at fault in a malformed request, and keeps the stream usable', async () => {
    const { status, body } = await pipeline({
      baton: null,
      requests: [
        { type: 'execute', stmt: { sql: 'select ?', args: [{ type: 'integer', value: 12 }] } },
        { type: 'execute', stmt: {} },
        { type: 'teleport' },
        { type: 'execute', stmt: { sql: 'select 1' } },
        { type: 'close' },
      ],
    });
    expect(status).toBe(200);
    expect(body.results[0].error.message).toMatch(/requests\.0\.stmt\.args\.0\.value/);
    expect(body.results[1].error.message).toMatch(/exactly one of sql and sql_id/);
    expect(body.results[2].error.code).toBe('HRANA_PROTO_ERROR');
    expect(body.results[3].type).toBe('ok');

    const notJson = await fetch(`${server.url}/v3/pipeline`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ message: expect.stringMatching(/not valid JSON/) });
  });

  it('rolls back and closes a stream left idle inside a transaction, releasing the write lock', async () => {
    const open = await pipeline({ baton: null, requests: [{ type: 'sequence', sql: "begin immediate; insert into log (note) values ('abandoned')" }] });
    expect(open.body.results[0].type).toBe('ok');
    // Waits behind the abandoned transaction until the idle timeout (0.5 s) rolls it back.
    await client.execute({ sql: 'insert into log (note) values (?)', args: ['after-expiry'] });
    const rs = await client.execute("select note from log where note in ('abandoned', 'after-expiry')");
    expect(rs.rows.map((r) => r.note)).toEqual(['after-expiry']);
    const late = await pipeline({ baton: open.body.baton, requests: [{ type: 'close' }] });
    expect(late.body.code).toBe('STREAM_EXPIRED');
  });
});

describe('startHranaServer options', () => {
  it('refuses an in-memory database and a bad port with the option named', async () => {
    await expect(startHranaServer({ file: ':memory:' })).rejects.toThrow(/^file:/);
    await expect(startHranaServer({ file: join(dir, 'x.db'), port: 70000 })).rejects.toThrow(/^port:/);
  });

  it('requires the bearer token when one is set', async () => {
    const guarded = await startHranaServer({ file: join(dir, 'guarded.db'), authToken: 'sekrit' });
    try {
      await expect(createClient({ url: guarded.url }).execute('select 1')).rejects.toThrow(/Bearer/);
      const rs = await createClient({ url: guarded.url, authToken: 'sekrit' }).execute('select 1 as one');
      expect(rs.rows[0]!.one).toBe(1);
    } finally {
      await guarded.close();
    }
  });

  it('answers no web page: requests with an Origin, fetch metadata or a foreign Host are refused and run nothing', async () => {
    const body = JSON.stringify({ requests: [{ type: 'execute', stmt: { sql: "insert into log (note) values ('from a page')" } }] });
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/v3/pipeline`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await post({ origin: 'https://evil.example' })).toBe(403);
    expect(await post({ 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await post({ host: 'evil.example:8080' })).toBe(403);
    const rs = await client.execute("select count(*) as n from log where note = 'from a page'");
    expect(Number(rs.rows[0]!.n)).toBe(0);
  });
});
