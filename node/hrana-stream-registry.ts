// The streams of a Hrana server: their connections (pooled), their batons (single-use, with
// an idle timeout) and the one-transaction-at-a-time gate.
import { randomBytes } from 'node:crypto';
import Database from 'libsql';
import { ParamCache, type Connection } from './hrana-statement';
import { openHranaStream, type HranaStream } from './hrana-stream';

/** Idle connections kept open for the next stream: each `execute` outside a transaction is a stream. */
const POOL_SIZE = 4;

export interface StreamRegistryOptions {
  path: string;
  idleMs: number;
  busyTimeoutMs: number;
}

export interface StreamRegistry {
  /**
   * Runs `run` on the stream a baton names (a new one for no baton) and returns its result
   * with the stream's next baton (null once closed); null when the baton is unknown or used.
   */
  withStream<T>(baton: string | null | undefined, run: (stream: HranaStream) => T): Promise<{ result: T; baton: string | null } | null>;
  /** Rolls back and closes every stream and connection; later calls fail. */
  close(): void;
}

export function createStreamRegistry({ path, idleMs, busyTimeoutMs }: StreamRegistryOptions): StreamRegistry {
  const params = new ParamCache();
  const idle: Connection[] = [];
  const parked = new Map<string, { stream: HranaStream; timer: NodeJS.Timeout }>();
  // At most one stream is inside a transaction at a time. Connections block synchronously on
  // SQLite's busy lock, so a second writer in this process would wait on a lock that only
  // our own (then blocked) event loop could release: requests queue here instead.
  let owner: HranaStream | null = null;
  const waiters: (() => void)[] = [];
  let stopped = false;

  function connect(): Connection {
    const conn = idle.pop();
    if (conn) return conn;
    const fresh = new Database(path);
    fresh.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}; PRAGMA foreign_keys = ON`);
    return fresh;
  }

  function release(conn: Connection) {
    if (idle.length < POOL_SIZE && !stopped) idle.push(conn);
    else conn.close();
  }

  /** Waits until no other stream holds a transaction; `null` for a stream not opened yet. */
  async function enter(stream: HranaStream | null) {
    while (owner !== null && owner !== stream) await new Promise<void>((resolve) => waiters.push(resolve));
    if (stopped) {
      stream?.close();
      throw new Error('The Hrana server is stopping');
    }
  }

  function settle(stream: HranaStream) {
    if (!stream.closed && !stream.isAutocommit()) owner = stream;
    else if (owner === stream) {
      owner = null;
      for (const wake of waiters.splice(0)) wake();
    }
  }

  function park(stream: HranaStream): string {
    const baton = randomBytes(24).toString('base64url');
    const timer = setTimeout(function expireStream() {
      parked.delete(baton);
      stream.close();
      settle(stream);
    }, idleMs);
    timer.unref();
    parked.set(baton, { stream, timer });
    return baton;
  }

  /** The stream a baton names; each baton works once, so requests on a stream stay serial. */
  function unpark(baton: string): HranaStream | undefined {
    const entry = parked.get(baton);
    if (!entry) return undefined;
    parked.delete(baton);
    clearTimeout(entry.timer);
    return entry.stream;
  }

  async function withStream<T>(baton: string | null | undefined, run: (stream: HranaStream) => T) {
    let stream: HranaStream | undefined;
    if (baton) {
      stream = unpark(baton);
      if (!stream) return null;
      await enter(stream);
    } else {
      // Wait before taking a connection, so a queue of new streams holds none.
      await enter(null);
      stream = openHranaStream(connect(), params, release);
    }
    try {
      return { result: run(stream), baton: stream.closed ? null : park(stream) };
    } catch (err) {
      stream.close();
      throw err;
    } finally {
      settle(stream);
    }
  }

  function close() {
    stopped = true;
    for (const [baton, { stream, timer }] of parked) {
      clearTimeout(timer);
      parked.delete(baton);
      stream.close();
    }
    owner = null;
    for (const wake of waiters.splice(0)) wake();
    for (const conn of idle.splice(0)) conn.close();
  }

  return { withStream, close };
}
