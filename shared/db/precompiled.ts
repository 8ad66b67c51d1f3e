// SQL that never changes, compiled to its text once. drizzle compiles a query's fragments
// again on every run, about a microsecond per fragment on the development machine: for the
// event rollup and the click-burst rule, 150–350 µs of every batch (bench/event-ingest.ts).
import { sql, type SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';

/** `query` as one raw fragment, its parameters (constants only) written in as SQL literals. */
export function precompiled(query: SQL): SQL {
  return sql.raw(new SQLiteAsyncDialect().sqlToQuery(query.inlineParams()).sql);
}
