// The Node host's database: a `file:` URL's connections keep their prepared statements, and a
// kept statement answers as a fresh one would.
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import LibsqlDatabase from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { startHranaServer } from './hrana-server';
import { openDatabase } from './open-database';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function databaseFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgepost-open-database-'));
  dirs.push(dir);
  return join(dir, 'data', 'edgepost.db');
}

describe('openDatabase with a file: URL', () => {
  it('keeps each statement prepared once per connection', async () => {
    const file = databaseFile();
    const { client } = await openDatabase(`file:${file}`);
    const connection = new LibsqlDatabase(file);
    try {
      expect(connection.prepare('select 1')).toBe(connection.prepare('select 1'));
      expect(connection.prepare('select 2')).not.toBe(connection.prepare('select 1'));
    } finally {
      connection.close();
      client.close();
    }
  });

  it('runs overlapping calls on its one connection, so each commits with synchronous = NORMAL', async () => {
    const { client } = await openDatabase(`file:${databaseFile()}`);
    try {
      // A second connection, opened for the overlapping call, would answer SQLite's default (2, FULL).
      const answers = await Promise.all(Array.from({ length: 8 }, () => client.execute('PRAGMA synchronous')));
      expect(answers.map((r) => Number(r.rows[0]![0]))).toEqual(Array(8).fill(1));
    } finally {
      client.close();
    }
  });

  it.each(['file', 'Hrana over HTTP'])(
    "makes a batch that reads before it writes wait for another process's write, where SQLite would fail it at once (%s)",
    async (through) => {
      const file = databaseFile();
      const local = await openDatabase(`file:${file}`);
      const hrana = through === 'file' ? null : await startHranaServer({ file });
      const { client } = hrana ? await openDatabase(hrana.url) : local;
      try {
        await client.execute('create table notes (id integer primary key, body text not null)');
        // Another process (here a thread, with a connection of its own) holds the write lock for 300 ms.
        const holder = new Worker(
          `const Database = require('libsql');
           const { parentPort, workerData } = require('node:worker_threads');
           const db = new Database(workerData);
           db.exec("begin immediate; insert into notes (body) values ('theirs')");
           parentPort.postMessage('locked');
           setTimeout(() => { db.exec('commit'); db.close(); }, 300);`,
          { eval: true, workerData: file },
        );
        await once(holder, 'message');
        await client.batch(['select count(*) from notes', { sql: 'insert into notes (body) values (?)', args: ['ours'] }]);
        expect((await client.execute('select body from notes order by id')).rows.map((r) => r.body)).toEqual(['theirs', 'ours']);
        await holder.terminate();
      } finally {
        client.close();
        await hrana?.close();
        local.client.close();
      }
    },
  );

  it('answers from kept statements as from fresh ones: new arguments, after a failure, in a rolled-back batch, after a schema change', async () => {
    const file = databaseFile();
    const { client } = await openDatabase(`file:${file}`);
    try {
      await client.execute('create table notes (id integer primary key, body text not null unique)');
      const insert = 'insert into notes (body) values (?)';
      const select = 'select * from notes order by id';
      expect((await client.execute({ sql: insert, args: ['a'] })).rowsAffected).toBe(1);
      await expect(client.execute({ sql: insert, args: ['a'] })).rejects.toThrow(/UNIQUE/);
      expect((await client.execute({ sql: insert, args: ['b'] })).rowsAffected).toBe(1);
      await expect(client.batch([{ sql: insert, args: ['c'] }, { sql: insert, args: ['a'] }])).rejects.toThrow(/UNIQUE/);
      expect((await client.execute(select)).rows.map((r) => r.body)).toEqual(['a', 'b']);
      await client.execute("alter table notes add column tag text not null default 'none'");
      const after = await client.execute(select);
      expect(after.columns).toEqual(['id', 'body', 'tag']);
      expect(after.rows.map((r) => [r.body, r.tag])).toEqual([['a', 'none'], ['b', 'none']]);

      // Inside one transaction: a kept statement prepared after the transaction's own DDL.
      const [, inBatch] = await client.batch([{ sql: "alter table notes add column mood text not null default 'calm'", args: [] }, select]);
      expect(inBatch!.columns).toEqual(['id', 'body', 'tag', 'mood']);

      // Another connection's DDL, seen from a later transaction of this one. (SQLite learns of it
      // only once a statement reads the table: even a fresh prepare before that has the old
      // columns, with or without kept statements.)
      const other = new LibsqlDatabase(file);
      other.exec('alter table notes add column size integer not null default 3');
      other.close();
      await client.execute('select count(*) from notes');
      const [seen] = await client.batch([select, 'select 1']);
      expect(seen!.columns).toEqual(['id', 'body', 'tag', 'mood', 'size']);
      expect(seen!.rows.map((r) => r.size)).toEqual([3, 3]);
    } finally {
      client.close();
    }
  });
});
