// Runs one Hrana statement on a libsql (better-sqlite3 API) connection, and describes one.
// Parameter names come from SQLite itself (the `Variable` opcodes of EXPLAIN), not from a
// hand-written SQL tokenizer, so named and positional arguments bind exactly as SQLite numbers them.
import type LibsqlDatabase from 'libsql';
import type { DescribeResult, HranaStmt, StmtResult } from './hrana-protocol';
import { fromHrana, toHrana, type SqlValue } from './hrana-values';

export type Connection = LibsqlDatabase.Database;

/** A failure reported to the client as a Hrana `Error`; `code` is SQLite's (e.g. SQLITE_CONSTRAINT_UNIQUE) or ours. */
export class HranaFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'HranaFailure';
  }
}

/** Index (1-based) to name, for the parameters SQLite kept in the compiled program. */
export type ParamTable = Map<number, string | null>;

/** SQL text to its parameter table; shared by every stream, since names do not depend on the data. */
export class ParamCache {
  private readonly entries = new Map<string, ParamTable>();
  constructor(private readonly limit = 512) {}

  get(conn: Connection, sql: string): ParamTable {
    let table = this.entries.get(sql);
    if (!table) {
      table = readParamTable(conn, sql);
      // Oldest first out: Map keeps insertion order.
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(sql, table);
    }
    return table;
  }
}

const PREFIXES = [':', '@', '$'];
/** A leading EXPLAIN [QUERY PLAN], after any comments. */
const EXPLAIN_PREFIX = /^\s*(?:(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)\s*)*explain(?:\s+query\s+plan)?\b/i;

/** Executes `stmt` (whose text is `sql`) and returns its Hrana result. */
export function executeStatement(conn: Connection, params: ParamCache, sql: string, stmt: HranaStmt): StmtResult {
  const prepared = prepare(conn, sql);
  prepared.safeIntegers(true);
  const values = bindValues(conn, params, sql, stmt);
  const before = totalChanges(conn);
  let rows: StmtResult['rows'] = [];
  let cols: StmtResult['cols'] = [];
  try {
    if (prepared.reader) {
      prepared.raw(true);
      const all = prepared.all(values) as unknown[][];
      cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type }));
      if (stmt.want_rows !== false) rows = all.map((row) => row.map(toHrana));
    } else {
      prepared.run(values);
    }
  } catch (err) {
    throw asFailure(err);
  }
  const [changes, total, lastRowid] = readCounters(conn);
  return {
    cols,
    rows,
    // changes() keeps the count of the last write, so it only belongs to this statement if it wrote.
    affected_row_count: total !== before ? Number(changes) : 0,
    last_insert_rowid: String(lastRowid),
  };
}

/** Describes `sql` without running it. */
export function describeStatement(conn: Connection, params: ParamCache, sql: string): DescribeResult {
  const prepared = prepare(conn, sql);
  const explained = EXPLAIN_PREFIX.exec(sql);
  const isExplain = explained !== null;
  // EXPLAIN cannot itself be explained: read the parameters of the statement it explains.
  const table = params.get(conn, isExplain ? sql.slice(explained[0].length) : sql);
  const count = Math.max(0, ...table.keys());
  return {
    params: Array.from({ length: count }, (_, i) => ({ name: table.get(i + 1) ?? null })),
    cols: prepared.columns().map((c) => ({ name: c.name, decltype: c.type })),
    is_explain: isExplain,
    is_readonly: isExplain || isReadonly(conn, sql),
  };
}

/** Wraps a driver error (SqliteError has `code`) as a failure for the client. */
export function asFailure(err: unknown): HranaFailure {
  if (err instanceof HranaFailure) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'SQLITE_ERROR';
  return new HranaFailure(err instanceof Error ? err.message : String(err), code);
}

function prepare(conn: Connection, sql: string) {
  try {
    return conn.prepare(sql);
  } catch (err) {
    throw asFailure(err);
  }
}

const counterStatements = new WeakMap<Connection, ReturnType<Connection['prepare']>>();

/** One prepared statement per connection, reused for every execute. */
function counters(conn: Connection) {
  let stmt = counterStatements.get(conn);
  if (!stmt) {
    stmt = conn.prepare('select changes(), total_changes(), last_insert_rowid()').safeIntegers(true).raw(true);
    counterStatements.set(conn, stmt);
  }
  return stmt;
}

/** changes(), total_changes(), last_insert_rowid(). `all`, not `get`: the driver's `get` leaves the
 * statement mid-step, and SQLite then refuses to COMMIT ("SQL statements in progress"). */
function readCounters(conn: Connection): bigint[] {
  return (counters(conn).all([]) as bigint[][])[0]!;
}

function totalChanges(conn: Connection): bigint {
  return readCounters(conn)[1]!;
}

/**
 * The positional array the driver binds (element i to parameter i + 1). Named arguments are
 * placed at the index SQLite gave their name. Like sqld, arguments the statement does not use
 * are ignored and parameters without an argument are NULL.
 */
function bindValues(conn: Connection, params: ParamCache, sql: string, stmt: HranaStmt): SqlValue[] {
  const values: SqlValue[] = (stmt.args ?? []).map(fromHrana);
  const named = stmt.named_args ?? [];
  if (named.length === 0) return values;
  const indexOf = new Map<string, number>();
  for (const [index, name] of params.get(conn, sql)) if (name) indexOf.set(name, index);
  for (const arg of named) {
    const candidates = PREFIXES.includes(arg.name[0]!) ? [arg.name] : PREFIXES.map((p) => p + arg.name);
    const index = candidates.map((n) => indexOf.get(n)).find((i) => i !== undefined);
    if (index === undefined) continue;
    while (values.length < index) values.push(null);
    values[index - 1] = fromHrana(arg.value);
  }
  return values;
}

function readParamTable(conn: Connection, sql: string): ParamTable {
  const table: ParamTable = new Map();
  for (const op of explain(conn, sql)) {
    // EXPLAIN columns: addr, opcode, p1, p2, p3, p4, p5, comment. Variable: p1 = index, p4 = name.
    if (op[1] === 'Variable') table.set(Number(op[2]), typeof op[5] === 'string' && op[5] !== '' ? op[5] : null);
  }
  return table;
}

/** sqlite3_stmt_readonly, read off the program the way SQLite's resolveP2Values sets it. */
function isReadonly(conn: Connection, sql: string): boolean {
  return !explain(conn, sql).some(
    (op) => (op[1] === 'Transaction' && Number(op[3]) !== 0) || op[1] === 'Checkpoint' || op[1] === 'Vacuum' || op[1] === 'JournalMode',
  );
}

function explain(conn: Connection, sql: string): unknown[][] {
  try {
    const stmt = conn.prepare(`EXPLAIN ${sql}`).raw(true);
    const ops = stmt.all([]) as unknown[][];
    // SQLite leaves an EXPLAIN that ran to the end active until it is reset, and the driver's
    // `all` does not reset: an EXPLAIN of a write would then hold every later autocommit write
    // uncommitted ("SQL statements in progress") until garbage collection. `get` resets.
    stmt.get([]);
    return ops;
  } catch (err) {
    throw asFailure(err);
  }
}
