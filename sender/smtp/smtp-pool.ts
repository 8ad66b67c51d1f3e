// A pool of SMTP connections to one server: up to `maxConnections`, opened when a send needs
// one and kept for the next, one message per connection at a time (with PIPELINING the next
// one's commands follow a message before its reply), sends beyond that waiting their turn
// in order. A connection the server closed while idle is dropped; a message whose
// connection turns out dead before the server answered any of it is tried once more on a
// new connection (nothing of it was accepted, so it cannot arrive twice).
import { smtpError } from './smtp-error';
import { openSmtpConnection, type SmtpConnection, type SmtpConnectionOptions } from './smtp-connection';
import type { SmtpEnvelope, SmtpSendResult, TransactionError } from './smtp-transaction';

export interface SmtpPoolOptions extends SmtpConnectionOptions {
  /** Connections open at most (default 5). */
  maxConnections?: number;
}

export interface SmtpPool {
  /** Sends one message over a pooled connection. */
  send(envelope: SmtpEnvelope, raw: Buffer | string): Promise<SmtpSendResult>;
  /** Connects, greets, upgrades and logs in on a connection of its own, then QUITs. */
  verify(): Promise<void>;
  /** QUITs idle connections, and busy ones once their message is done; queued sends fail. */
  close(): Promise<void>;
  /** Connections open or opening, busy or idle. */
  readonly size: number;
  /** Connections opened since the pool was made. */
  readonly opened: number;
}

interface Waiting {
  /** Skip idle connections: the last one this send had was dead. */
  fresh: boolean;
  resolve(connection: SmtpConnection): void;
  reject(err: Error): void;
}

export function createSmtpPool(options: SmtpPoolOptions): SmtpPool {
  const max = Math.max(1, options.maxConnections ?? 5);
  const idle: SmtpConnection[] = [];
  const queue: Waiting[] = [];
  const closing: Promise<void>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let size = 0;
  let opened = 0;
  let closed = false;

  /** Opens a connection for `waiting`; the pool's slot is taken before the connection exists. */
  function openFor(waiting: Waiting): void {
    size++;
    opened++;
    openSmtpConnection(options).then(
      function opened(connection) {
        connection.onEnd(() => forget(connection));
        if (closed) {
          waiting.reject(poolClosed());
          return release(connection);
        }
        waiting.resolve(connection);
      },
      function failed(err: Error) {
        size--;
        waiting.reject(err);
        serveQueue();
      },
    );
  }

  /** A connection that ended: out of the idle list, its slot free. */
  function forget(connection: SmtpConnection): void {
    const at = idle.indexOf(connection);
    if (at !== -1) idle.splice(at, 1);
    size--;
    serveQueue();
  }

  /** Waiting sends get free slots (there is no idle connection, or they would have it). */
  function serveQueue(): void {
    while (queue.length > 0 && size < max && !closed) openFor(queue.shift()!);
  }

  function acquire(fresh: boolean): Promise<SmtpConnection> {
    if (closed) return Promise.reject(poolClosed());
    return new Promise((resolve, reject) => {
      const waiting = { fresh, resolve, reject };
      if (!fresh) {
        const connection = idle.pop();
        if (connection) return resolve(connection);
      }
      if (size < max) return openFor(waiting);
      queue.push(waiting);
    });
  }

  /** After a send: to the first waiting send, or idle; a dead one is already forgotten. */
  function release(connection: SmtpConnection): void {
    if (!connection.usable) return;
    if (closed) {
      closing.push(connection.quit());
      return;
    }
    const next = queue.shift();
    if (next) next.resolve(connection);
    else idle.push(connection);
  }

  /**
   * A connection whose message is written, to the first waiting send: its commands go out
   * behind that message, before its reply. Whether it was handed on.
   */
  function handOn(connection: SmtpConnection): boolean {
    if (closed || queue.length === 0 || !connection.usable) return false;
    queue.shift()!.resolve(connection);
    return true;
  }

  async function sendOn(fresh: boolean, envelope: SmtpEnvelope, raw: Buffer | string): Promise<SmtpSendResult> {
    const connection = await acquire(fresh);
    // Once handed on, the connection is the next send's to release.
    let handedOn = false;
    try {
      return await connection.send(envelope, raw, () => (handedOn = handOn(connection)));
    } finally {
      if (!handedOn) release(connection);
    }
  }

  async function sendWithRetry(envelope: SmtpEnvelope, raw: Buffer | string): Promise<SmtpSendResult> {
    try {
      return await sendOn(false, envelope, raw);
    } catch (err) {
      if (!(err as TransactionError).unanswered || closed) throw err;
      return sendOn(true, envelope, raw);
    }
  }

  return {
    send(envelope, raw) {
      const sending = sendWithRetry(envelope, raw);
      inFlight.add(sending);
      const done = () => inFlight.delete(sending);
      sending.then(done, done);
      return sending;
    },
    async verify() {
      const connection = await openSmtpConnection(options);
      await connection.quit();
    },
    async close() {
      closed = true;
      for (const waiting of queue.splice(0)) waiting.reject(poolClosed());
      closing.push(...idle.splice(0).map((c) => c.quit()));
      // Messages on the wire finish (their connections then QUIT as they come back).
      await Promise.allSettled([...inFlight]);
      await Promise.all(closing);
    },
    get size() {
      return size;
    },
    get opened() {
      return opened;
    },
  };
}

function poolClosed(): Error {
  return smtpError('ECONNECTION', 'pool closed');
}
