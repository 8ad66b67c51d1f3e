// Counts the table rows a workload writes, the way Turso bills "rows written": every row
// inserted, updated or deleted, whether by a statement or by a trigger it fires (and
// foreign-key cascades, which SQLite runs as triggers). Bench-only: it adds AFTER
// INSERT/UPDATE/DELETE triggers to every table of a throwaway database, each bumping a
// per-table tally in `bench_writes`. Row triggers fire for nested trigger writes too, and
// for an upsert's DO UPDATE; they do not fire for an INSERT OR REPLACE's implicit delete
// (recursive_triggers is off), which no Edgepost write uses. Index entries are not rows.
import type { Client } from '@libsql/client';

export type WriteOp = 'insert' | 'update' | 'delete';
export type WriteTally = Map<string, number>; // `table op` → rows

const OPS: WriteOp[] = ['insert', 'update', 'delete'];

/** Adds the counting triggers; call once, after the migrations. */
export async function installWriteCounter(client: Client): Promise<void> {
  await client.execute(`create table bench_writes (tbl text not null, op text not null, n integer not null, primary key (tbl, op))`);
  const tables = await client.execute(`
    select name from sqlite_master
    where type = 'table' and name not like 'sqlite_%' and name not in ('bench_writes', '__drizzle_migrations')
      and sql not like 'CREATE VIRTUAL%'`);
  for (const { name } of tables.rows) {
    for (const op of OPS) {
      await client.execute(`create trigger "bench_${op}_${String(name)}" after ${op} on "${String(name)}" begin
        insert into bench_writes (tbl, op, n) values ('${String(name)}', '${op}', 1) on conflict (tbl, op) do update set n = n + 1;
      end`);
    }
  }
}

/** The tallies so far. */
export async function readWrites(client: Client): Promise<WriteTally> {
  const rows = await client.execute('select tbl, op, n from bench_writes');
  return new Map(rows.rows.map((r) => [`${String(r.tbl)} ${String(r.op)}`, Number(r.n)]));
}

/** What was written between two tallies, without the zero entries. */
export function writesBetween(before: WriteTally, after: WriteTally): WriteTally {
  const diff: WriteTally = new Map();
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d !== 0) diff.set(key, d);
  }
  return diff;
}

export function totalWrites(tally: WriteTally): number {
  let sum = 0;
  for (const n of tally.values()) sum += n;
  return sum;
}
