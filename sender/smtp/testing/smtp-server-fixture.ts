// Tests only: smtp-server (the real thing, from nodemailer's author) on 127.0.0.1 and a free
// port, keeping each message's envelope and exact bytes (after SMTP's un-stuffing).
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** The BODY= parameter of MAIL FROM, lower case, when given. */
  bodyType: string | undefined;
  smtpUtf8: boolean;
  secure: boolean;
  user: string | undefined;
}

export interface SmtpServerFixture {
  port: number;
  received: ReceivedMessage[];
  connections: number;
  server: SMTPServer;
  close(): Promise<void>;
}

/** Starts smtp-server; `options` override a permissive default (no AUTH, no STARTTLS). */
export async function startSmtpServerFixture(options: SMTPServerOptions = {}): Promise<SmtpServerFixture> {
  const fixture: SmtpServerFixture = { port: 0, received: [], connections: 0, server: null!, close: async () => {} };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onConnect(_session, callback) {
      fixture.connections++;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = session.envelope as typeof session.envelope & { bodyType?: string; smtpUtf8?: boolean };
        fixture.received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          bodyType: envelope.bodyType,
          smtpUtf8: envelope.smtpUtf8 === true,
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback(null, 'Ok: queued as FIXTURE1');
      });
    },
    ...options,
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fixture.server = server;
  fixture.port = (server.server.address() as AddressInfo).port;
  fixture.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fixture;
}
