// One connection to an SMTP server, ready to send: TCP or TLS, the greeting, EHLO (HELO when
// EHLO is refused), STARTTLS as the security mode says, EHLO again, AUTH. Then one message
// at a time, as many as the server takes, and QUIT at the end.
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { noExtensions, parseExtensions, type SmtpExtensions } from './extensions';
import { smtpError, type SmtpError } from './smtp-error';
import { login, type SmtpCredentials } from './smtp-login';
import { createSmtpSession, type SmtpSession } from './smtp-session';
import { sendTransaction, type SmtpEnvelope, type SmtpSendResult } from './smtp-transaction';

/**
 * `tls`: TLS from the first byte (port 465); `starttls`: upgrade, and refuse to go on when
 * the server does not offer it (587); `opportunistic`: upgrade when offered; `none`: never.
 */
export type SmtpSecurity = 'tls' | 'starttls' | 'opportunistic' | 'none';

export interface SmtpConnectionOptions {
  host: string;
  port: number;
  security: SmtpSecurity;
  credentials?: SmtpCredentials;
  /** The name we give in EHLO; default this machine's name when it has a dot, else our address literal. */
  clientName?: string;
  /**
   * Tests only: certificate authorities to trust instead of the system's (a loopback
   * server's self-signed certificate). The certificate is always checked.
   */
  trustedCa?: string | Buffer;
  /** Connecting, TLS from the first byte included (default 30 s). */
  connectionTimeoutMs?: number;
  /** Waiting for the server's 220 once connected (default 30 s). */
  greetingTimeoutMs?: number;
  /** The longest silence while a reply is owed; an idle connection is closed after it too (default 60 s). */
  socketTimeoutMs?: number;
  /**
   * Use PIPELINING when the server offers it (default true). False, for a relay that offers
   * it and mishandles it: each command then waits for the reply to the one before.
   */
  pipelining?: boolean;
}

export interface SmtpConnection {
  /** What the server offered in its last EHLO (after TLS, when upgraded), less PIPELINING when `pipelining` is false. */
  readonly extensions: SmtpExtensions;
  /** Whether the connection is encrypted. */
  readonly secure: boolean;
  /**
   * Alive and able to take a message: not failed, closed or closing, and no message on it
   * still to be written (one already written may still await its reply).
   */
  readonly usable: boolean;
  /**
   * Sends one message; the connection stays usable after a refusal. `onDataWritten` is called
   * when, with PIPELINING, the next message may go out behind this one: its data is written.
   */
  send(envelope: SmtpEnvelope, raw: Buffer | string, onDataWritten?: () => void): Promise<SmtpSendResult>;
  /** QUIT, then close; resolves when closed, whatever the server does. */
  quit(): Promise<void>;
  /** Calls back once when the connection ends (server closed it, failed, timed out, or quit). */
  onEnd(listener: (err: SmtpError) => void): void;
}

function tlsOptionsFor(options: SmtpConnectionOptions): ConnectionOptions {
  return {
    host: options.host,
    // SNI takes a host name only; an IP address is still checked against the certificate.
    ...(isIP(options.host) ? {} : { servername: options.host }),
    rejectUnauthorized: true,
    ...(options.trustedCa ? { ca: options.trustedCa } : {}),
  };
}

function ehloName(options: SmtpConnectionOptions, socket: Socket): string {
  if (options.clientName) return options.clientName;
  const name = hostname();
  if (name.includes('.')) return name;
  const address = socket.localAddress ?? '127.0.0.1';
  return isIP(address) === 6 ? `[IPv6:${address}]` : `[${address}]`;
}

/** Opens a connection and gets it ready to send; throws an SmtpError when it cannot. */
export async function openSmtpConnection(options: SmtpConnectionOptions): Promise<SmtpConnection> {
  const socketTimeoutMs = options.socketTimeoutMs ?? 60_000;
  const secureFromStart = options.security === 'tls';
  const socket = secureFromStart ? tlsConnect({ ...tlsOptionsFor(options), port: options.port }) : tcpConnect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  const session = createSmtpSession(socket, socketTimeoutMs);
  try {
    const greeting = session.reply('greeting');
    greeting.catch(() => {});
    await session.until(secureFromStart ? 'secureConnect' : 'connect', options.connectionTimeoutMs ?? 30_000, `connecting to ${options.host}:${options.port}`);
    const greetingTimer = setTimeout(
      () => session.fail(smtpError('ETIMEDOUT', `no greeting from ${options.host}:${options.port} within ${(options.greetingTimeoutMs ?? 30_000) / 1000} s`)),
      options.greetingTimeoutMs ?? 30_000,
    );
    const hello = await greeting.finally(() => clearTimeout(greetingTimer));
    if (hello.code !== 220) throw smtpError('ECONNECTION', `${options.host}:${options.port} refused the connection`, { reply: hello, command: 'greeting' });

    const name = ehloName(options, socket);
    let extensions = await greet(session, name);
    let secure = secureFromStart;
    if (!secure && options.security !== 'none') secure = await startTls(session, options, extensions);
    if (secure && !secureFromStart) extensions = await greet(session, name);
    if (options.credentials) await login(session, extensions, options.credentials);
    if (options.pipelining === false) extensions = { ...extensions, pipelining: false };
    return connectionOver(session, extensions, secure);
  } catch (err) {
    session.fail(err as SmtpError);
    throw err;
  }
}

/** EHLO, or HELO when the server does not know EHLO; what the server offers. */
async function greet(session: SmtpSession, name: string): Promise<SmtpExtensions> {
  const ehlo = await session.command(`EHLO ${name}`, 'EHLO');
  if (ehlo.code === 250) return parseExtensions(ehlo);
  if (ehlo.code < 500) throw smtpError('ECONNECTION', 'the server refused EHLO', { reply: ehlo, command: 'EHLO' });
  const helo = await session.command(`HELO ${name}`, 'HELO');
  if (helo.code !== 250) throw smtpError('ECONNECTION', 'the server refused HELO', { reply: helo, command: 'HELO' });
  return noExtensions();
}

/** STARTTLS when offered (or required); whether the connection is now encrypted. */
async function startTls(session: SmtpSession, options: SmtpConnectionOptions, extensions: SmtpExtensions): Promise<boolean> {
  const required = options.security === 'starttls';
  if (!extensions.starttls) {
    if (required) throw smtpError('ETLS', `${options.host}:${options.port} does not offer STARTTLS, and security is "starttls"`, { command: 'STARTTLS' });
    return false;
  }
  const reply = await session.command('STARTTLS');
  if (reply.code !== 220) {
    if (required) throw smtpError('ETLS', 'the server refused STARTTLS', { reply, command: 'STARTTLS' });
    return false;
  }
  await session.upgrade(tlsOptionsFor(options), options.connectionTimeoutMs ?? 30_000);
  return true;
}

function connectionOver(session: SmtpSession, extensions: SmtpExtensions, secure: boolean): SmtpConnection {
  // A message is on the connection and not yet written: the next one must wait.
  let writing = false;
  let quitting = false;
  // An idle connection the server would time out anyway: leave politely first.
  session.onIdleTimeout(() => void quit());

  async function quit(): Promise<void> {
    if (session.failure || quitting) return;
    quitting = true;
    const closed = session.command('QUIT').catch(() => null);
    const timer = setTimeout(() => session.fail(smtpError('ECONNECTION', 'closed after QUIT')), 5_000);
    await closed;
    clearTimeout(timer);
    session.fail(smtpError('ECONNECTION', 'closed after QUIT'));
  }

  return {
    extensions,
    secure,
    get usable() {
      return !session.failure && !quitting && !writing;
    },
    async send(envelope, raw, onDataWritten) {
      if (writing) throw new Error('one message at a time on a connection, until its data is written');
      if (session.failure || quitting) throw Object.assign(smtpError('ECONNECTION', 'the connection is closed', { command: 'MAIL FROM' }), { unanswered: true });
      writing = true;
      let mine = true;
      try {
        return await sendTransaction(session, extensions, envelope, raw, () => {
          // Commands may follow the message before its reply only with PIPELINING (RFC 2920 §3.1).
          if (!extensions.pipelining) return;
          writing = mine = false;
          onDataWritten?.();
        });
      } finally {
        // Unless the next message already took the connection.
        if (mine) writing = false;
      }
    },
    quit,
    onEnd: session.onEnd,
  };
}
