// One Hrana stream: one SQLite connection and the SQL texts stored on it. Requests run
// synchronously and in order, so a stream's requests never interleave with another's.
import type { BatchCond, BatchResult, HranaBatch, HranaStmt, StreamRequest, StreamResponse } from './hrana-protocol';
import { asFailure, describeStatement, executeStatement, HranaFailure, type Connection, type ParamCache } from './hrana-statement';

/** Stored SQL texts a stream may hold, so a runaway client cannot grow the server without bound. */
const MAX_STORED_SQL = 1000;

export interface HranaStream {
  /** Runs one request; throws a HranaFailure for the client. */
  handle(request: StreamRequest): StreamResponse;
  /** Runs a batch (the cursor endpoint uses it directly). */
  batch(batch: HranaBatch): BatchResult;
  isAutocommit(): boolean;
  readonly closed: boolean;
  /** Rolls back an open transaction and hands the connection back. Safe to call twice. */
  close(): void;
}

export function openHranaStream(conn: Connection, params: ParamCache, release: (conn: Connection) => void): HranaStream {
  const storedSql = new Map<number, string>();
  let closed = false;

  function sqlOf(source: { sql?: string | null; sql_id?: number | null }): string {
    if (source.sql != null) return source.sql;
    const sql = storedSql.get(source.sql_id!);
    if (sql === undefined) throw new HranaFailure(`sql_id ${source.sql_id} is not stored on this stream; store it first with store_sql`, 'SQL_ID_UNKNOWN');
    return sql;
  }

  function execute(stmt: HranaStmt) {
    return executeStatement(conn, params, sqlOf(stmt), stmt);
  }

  function batch(batch: HranaBatch): BatchResult {
    batch.steps.forEach((step, i) => step.condition && checkCondition(step.condition, i));
    const result: BatchResult = { step_results: [], step_errors: [] };
    batch.steps.forEach((step, i) => {
      if (step.condition && !holds(step.condition, result)) {
        result.step_results.push(null);
        result.step_errors.push(null);
        return;
      }
      try {
        result.step_results.push(execute(step.stmt));
        result.step_errors.push(null);
      } catch (err) {
        const failure = asFailure(err);
        result.step_results.push(null);
        result.step_errors.push({ message: failure.message, code: failure.code });
      }
    });
    return result;
  }

  function holds(cond: BatchCond, result: BatchResult): boolean {
    switch (cond.type) {
      case 'ok':
        return result.step_results[cond.step] != null;
      case 'error':
        return result.step_errors[cond.step] != null;
      case 'not':
        return !holds(cond.cond, result);
      case 'and':
        return cond.conds.every((c) => holds(c, result));
      case 'or':
        return cond.conds.some((c) => holds(c, result));
      case 'is_autocommit':
        return !conn.inTransaction;
    }
  }

  function handle(request: StreamRequest): StreamResponse {
    if (closed) throw new HranaFailure('The stream is closed; open a new one by sending baton null', 'STREAM_CLOSED');
    switch (request.type) {
      case 'close':
        close();
        return { type: 'close' };
      case 'execute':
        return { type: 'execute', result: execute(request.stmt) };
      case 'batch':
        return { type: 'batch', result: batch(request.batch) };
      case 'sequence':
        try {
          conn.exec(sqlOf(request));
        } catch (err) {
          throw asFailure(err);
        }
        return { type: 'sequence' };
      case 'describe':
        return { type: 'describe', result: describeStatement(conn, params, sqlOf(request)) };
      case 'store_sql':
        if (storedSql.has(request.sql_id)) throw new HranaFailure(`sql_id ${request.sql_id} is already stored; close_sql it before reusing the id`, 'SQL_ID_IN_USE');
        if (storedSql.size >= MAX_STORED_SQL) throw new HranaFailure(`A stream holds at most ${MAX_STORED_SQL} stored SQL texts; close_sql some first`, 'SQL_STORE_FULL');
        storedSql.set(request.sql_id, request.sql);
        return { type: 'store_sql' };
      case 'close_sql':
        // Closing an id that is not stored is not an error (spec).
        storedSql.delete(request.sql_id);
        return { type: 'close_sql' };
      case 'get_autocommit':
        return { type: 'get_autocommit', is_autocommit: !conn.inTransaction };
    }
  }

  function close() {
    if (closed) return;
    closed = true;
    storedSql.clear();
    try {
      if (conn.inTransaction) conn.exec('ROLLBACK');
    } catch {
      // A connection that cannot even roll back is not handed out again.
      conn.close();
      return;
    }
    release(conn);
  }

  return {
    handle,
    batch: (b) => {
      if (closed) throw new HranaFailure('The stream is closed; open a new one by sending baton null', 'STREAM_CLOSED');
      return batch(b);
    },
    isAutocommit: () => !conn.inTransaction,
    get closed() {
      return closed;
    },
    close,
  };
}

/** A step may only depend on steps before it; anything else is refused before any step runs. */
function checkCondition(cond: BatchCond, step: number): void {
  switch (cond.type) {
    case 'ok':
    case 'error':
      if (cond.step >= step) throw new HranaFailure(`batch.steps.${step}.condition refers to step ${cond.step}, which does not run before it`, 'BATCH_COND_INVALID');
      return;
    case 'not':
      return checkCondition(cond.cond, step);
    case 'and':
    case 'or':
      return cond.conds.forEach((c) => checkCondition(c, step));
    case 'is_autocommit':
      return;
  }
}
