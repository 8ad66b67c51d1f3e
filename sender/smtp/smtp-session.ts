// One socket to an SMTP server and the replies owed on it, in order. Commands may be
// written several at a time (pipelining); each waits for its own reply. When the socket
// fails, closes, times out or the server says 421, every reply still owed fails with the
// same error and the session is over: nothing owed is ever taken for a success.
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { createReplyReader, type SmtpReply } from './reply-reader';
import { smtpError, type SmtpError } from './smtp-error';

export interface SmtpSession {
  /** Writes bytes as they are (the caller adds CRLF). */
  write(data: string | Buffer): void;
  /** Writes several buffers in one go (one writev for the whole message). */
  writeAll(chunks: Buffer[]): void;
  /** The next reply not yet claimed, in order of the commands written. */
  reply(command: string): Promise<SmtpReply>;
  /** Writes one command line and waits for its reply. */
  command(line: string, name?: string): Promise<SmtpReply>;
  /** Replaces the socket with TLS over it (STARTTLS) and waits for the handshake. */
  upgrade(options: ConnectionOptions, timeoutMs: number): Promise<void>;
  /** Waits for the first of `event` on the socket, or the session's failure. */
  until(event: 'connect' | 'secureConnect', timeoutMs: number, what: string): Promise<void>;
  /** Replies received since the session began. */
  readonly repliesSeen: number;
  /** Why the session ended, or null while it is alive. */
  readonly failure: SmtpError | null;
  /** Replies owed: commands written and not answered yet. */
  readonly owed: number;
  /** Ends the session with this error (idempotent), destroying the socket. */
  fail(err: SmtpError): void;
  /** Calls back once when the session ends, for whatever reason. */
  onEnd(listener: (err: SmtpError) => void): void;
  /** Sets what happens on inactivity while no reply is owed (the idle connection). */
  onIdleTimeout(listener: () => void): void;
}

interface Waiter {
  command: string;
  resolve(reply: SmtpReply): void;
  reject(err: Error): void;
}

// Codes a TLS handshake or certificate check fails with (OpenSSL's and Node's).
const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|ALTNAME|HANDSHAKE/i;

/** Starts a session over a socket that is connecting or connected. */
export function createSmtpSession(first: Socket, socketTimeoutMs: number): SmtpSession {
  let socket: Socket = first;
  let failure: SmtpError | null = null;
  let repliesSeen = 0;
  const waiters: Waiter[] = [];
  // Promises that are not replies (connect, TLS handshake) but end with the session too.
  const guards = new Set<(err: Error) => void>();
  const endListeners: ((err: SmtpError) => void)[] = [];
  let idleTimeout = () => fail(smtpError('ECONNECTION', 'idle connection timed out'));

  const reader = createReplyReader(onReply, function onGarbage(line) {
    fail(smtpError('EPROTOCOL', `the server sent a line that is not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`));
  });

  function onReply(reply: SmtpReply): void {
    repliesSeen++;
    const waiter = waiters.shift();
    if (reply.code === 421) {
      // "Service not available, closing transmission channel", at any point.
      return fail(smtpError('ECONNECTION', 'the server is closing the connection', { reply, command: waiter?.command }), waiter);
    }
    if (!waiter) return fail(smtpError('EPROTOCOL', 'the server sent a reply nobody asked for', { reply }));
    waiter.resolve(reply);
  }

  function onData(chunk: Buffer) {
    reader.push(chunk);
  }
  function onError(err: NodeJS.ErrnoException) {
    const code = TLS_ERROR.test(String(err.code ?? '')) ? 'ETLS' : 'ECONNECTION';
    fail(smtpError(code, `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`));
  }
  function onClose() {
    fail(smtpError('ECONNECTION', waiters.length > 0 ? 'the server closed the connection before replying' : 'the connection closed'));
  }
  function onTimeout() {
    if (waiters.length === 0 && guards.size === 0) return idleTimeout();
    fail(smtpError('ETIMEDOUT', `no reply within ${socketTimeoutMs / 1000} s`));
  }

  const handlers: [string, (...args: any[]) => void][] = [
    ['data', onData],
    ['error', onError],
    ['close', onClose],
    ['end', onClose],
    ['timeout', onTimeout],
  ];
  function attach(s: Socket) {
    for (const [event, handler] of handlers) s.on(event, handler);
    s.setTimeout(socketTimeoutMs);
  }
  function detach(s: Socket) {
    for (const [event, handler] of handlers) s.off(event, handler);
    s.setTimeout(0);
  }

  function fail(err: SmtpError, first?: Waiter): void {
    if (failure) return;
    failure = err;
    const owed = first ? [first, ...waiters] : [...waiters];
    waiters.length = 0;
    for (const waiter of owed) waiter.reject(Object.assign(copyOf(err), { command: err.command ?? waiter.command }));
    for (const reject of guards) reject(err);
    guards.clear();
    socket.destroy();
    for (const listener of endListeners) listener(err);
  }

  function reply(command: string): Promise<SmtpReply> {
    if (failure) return Promise.reject(Object.assign(copyOf(failure), { command }));
    return new Promise((resolve, reject) => waiters.push({ command, resolve, reject }));
  }

  function guarded<T>(run: (resolve: (value: T) => void, reject: (err: Error) => void) => void): Promise<T> {
    if (failure) return Promise.reject(copyOf(failure));
    return new Promise<T>((resolve, reject) => {
      const settle = (fn: () => void) => {
        guards.delete(rejectGuard);
        fn();
      };
      const rejectGuard = (err: Error) => reject(err);
      guards.add(rejectGuard);
      run(
        (value) => settle(() => resolve(value)),
        (err) => settle(() => reject(err)),
      );
    });
  }

  function until(event: 'connect' | 'secureConnect', timeoutMs: number, what: string): Promise<void> {
    return guarded<void>((resolve) => {
      const timer = setTimeout(() => fail(smtpError('ETIMEDOUT', `${what} took longer than ${timeoutMs / 1000} s`)), timeoutMs);
      socket.once(event, () => {
        clearTimeout(timer);
        resolve();
      });
      endListeners.push(() => clearTimeout(timer));
    });
  }

  attach(socket);

  return {
    write(data) {
      socket.write(data);
    },
    writeAll(chunks) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    },
    reply,
    command(line, name = line) {
      socket.write(`${line}\r\n`);
      return reply(name);
    },
    async upgrade(options, timeoutMs) {
      const plain = socket;
      detach(plain);
      const secure: TLSSocket = tlsConnect({ ...options, socket: plain });
      socket = secure;
      attach(secure);
      await until('secureConnect', timeoutMs, 'the TLS handshake');
    },
    until,
    get repliesSeen() {
      return repliesSeen;
    },
    get failure() {
      return failure;
    },
    get owed() {
      return waiters.length;
    },
    fail,
    onEnd(listener) {
      if (failure) listener(failure);
      else endListeners.push(listener);
    },
    onIdleTimeout(listener) {
      idleTimeout = listener;
    },
  };
}

function copyOf(err: SmtpError): SmtpError {
  const copy = new Error(err.message) as SmtpError;
  copy.code = err.code;
  if (err.responseCode !== undefined) copy.responseCode = err.responseCode;
  if (err.response !== undefined) copy.response = err.response;
  if (err.command !== undefined) copy.command = err.command;
  return copy;
}
