// A real SMTP server on loopback (smtp-server) that keeps what it receives. Tests can make
// it refuse chosen recipients, temporarily or for good, as a relay would.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  /** Connections opened so far: pooled sending should keep this small. */
  connections: number;
  /** Whether to cut the connection in the middle of this recipient's message (checked per DATA). */
  dropDuringData: (address: string) => boolean;
  /** Milliseconds the sink takes to accept each message, like a slow relay. */
  delayMs: number;
  /** Answer for a recipient: null accepts; `{ code, message }` refuses. Checked per RCPT. */
  rejectRecipient: (address: string) => { code: number; message: string } | null;
  /** Text after "250 " when a message is accepted; null keeps smtp-server's "OK: message queued". */
  acceptReply: string | null;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Listen on this port (e.g. a relay coming back where it was); default a free one. */
  port?: number;
  /** Require AUTH PLAIN/LOGIN with these credentials (over plain TCP: loopback only). */
  auth?: { user: string; pass: string };
  /** Also offer AUTH XOAUTH2 (as Gmail does) for this user, with tokens this check accepts. */
  xoauth2?: { user: string; acceptsToken: (accessToken: string) => boolean };
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port: 0,
    received: [],
    connections: 0,
    delayMs: 0,
    dropDuringData: () => false,
    rejectRecipient: () => null,
    acceptReply: null,
    close: async () => {},
  };
  const { auth, xoauth2 } = options;
  const needsAuth = Boolean(auth || xoauth2);
  const server = new SMTPServer({
    authOptional: !needsAuth,
    disabledCommands: needsAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authMethods: xoauth2 ? ['PLAIN', 'LOGIN', 'XOAUTH2'] : ['PLAIN', 'LOGIN'],
    onAuth(login, _session, callback) {
      if (login.method === 'XOAUTH2') {
        if (xoauth2 && login.username === xoauth2.user && xoauth2.acceptsToken(login.accessToken ?? '')) return callback(null, { user: login.username });
        // Gmail's answer to a stale or wrong token: a JSON challenge, then 535 once the client gives up.
        return callback(null, { data: { status: '401', schemes: 'Bearer', scope: 'https://mail.google.com/' } });
      }
      if (auth && login.username === auth.user && login.password === auth.pass) return callback(null, { user: login.username });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    logger: false,
    size: 50 * 1024 * 1024,
    onConnect(_session, callback) {
      sink.connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const refusal = sink.rejectRecipient(address.address);
      if (!refusal) return callback();
      const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
      callback(err);
    },
    onData(stream, session, callback) {
      if (session.envelope.rcptTo.some((r) => sink.dropDuringData(r.address))) {
        // A relay that dies mid-message: reset the TCP connection, keep nothing.
        const connection = [...(server as unknown as { connections: Set<{ session: { id: string }; _socket: { destroy(): void } }> }).connections].find(
          (c) => c.session.id === session.id,
        );
        stream.once('data', () => connection?._socket.destroy());
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (sink.delayMs > 0) await new Promise((r) => setTimeout(r, sink.delayMs));
        sink.received.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        if (sink.acceptReply === null) callback(null);
        else callback(null, sink.acceptReply);
      });
    },
  });
  // A sender killed mid-message resets its connection: that is the point of some tests.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error('smtp sink:', err);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
