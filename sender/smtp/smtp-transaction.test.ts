// Refusals and failures of one transaction, against a scripted server on loopback: the
// error carries the server's reply, a transaction refused before its message is reset and
// the connection reused, and a connection that fails before the final 250 is never a success.
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../test/helpers/smtp-sink';
import { classifySendError } from '../send-error';
import { openSmtpConnection, type SmtpConnection, type SmtpConnectionOptions } from './smtp-connection';
import { startScriptedSmtpServer, type ScriptedSmtpOptions, type ScriptedSmtpServer } from './testing/scripted-smtp-server';
import { failureOf } from './testing/failure-of';

const envelope = { from: 'bounces+1@shop.example', to: ['zoe@example.org'] };
const raw = Buffer.from('Subject: hi\r\n\r\nHello\r\n');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function serverAndConnection(options: ScriptedSmtpOptions, connectionOptions: Partial<SmtpConnectionOptions> = {}): Promise<[ScriptedSmtpServer, SmtpConnection]> {
  const server = await startScriptedSmtpServer(options);
  cleanups.push(() => server.close());
  const connection = await openSmtpConnection({ host: '127.0.0.1', port: server.port, security: 'none', ...connectionOptions });
  cleanups.push(() => connection.quit());
  return [server, connection];
}


/** Answers `reply` to the first command starting with `verb`, then the defaults. */
function once(verb: string, reply: string) {
  let used = false;
  return (command: string) => (!used && command.toUpperCase().startsWith(verb) ? ((used = true), reply) : undefined);
}

describe.each([
  ['pipelined', ['PIPELINING', '8BITMIME']],
  ['one command at a time', ['8BITMIME']],
])('smtp transaction, %s', (_mode, extensions) => {
  it.each([
    ['MAIL', '553 5.1.8 Sender address rejected', 'EENVELOPE', 'MAIL FROM', 'permanent'],
    ['MAIL', '451 4.3.0 Try again later', 'EENVELOPE', 'MAIL FROM', 'retry'],
    ['RCPT', '550 5.1.1 <zoe@example.org>: No such user', 'EENVELOPE', 'RCPT TO', 'permanent'],
    ['RCPT', '450 4.2.1 Too many messages, slow down', 'EENVELOPE', 'RCPT TO', 'rate_limited'],
    ['DATA', '554 5.5.1 No valid recipients', 'EMESSAGE', 'DATA', 'permanent'],
    ['DATA', '451 4.3.0 Local problem', 'EMESSAGE', 'DATA', 'retry'],
    ['.', '552 5.3.4 Message too big', 'EMESSAGE', 'message', 'permanent'],
    ['.', '452 4.3.1 Insufficient storage', 'EMESSAGE', 'message', 'retry'],
  ])('%s answered "%s": %s with the reply, RSET unless the dot ended it, and the connection carries the next message', async (verb, reply, code, command, outcome) => {
    const [server, connection] = await serverAndConnection({ extensions, answer: once(verb, reply) });
    const err = await failureOf(connection.send(envelope, raw));
    expect(err).toMatchObject({ code, command, responseCode: Number(reply.slice(0, 3)), response: reply });
    expect(classifySendError(err).outcome).toBe(outcome);
    // The reply to the dot ends the transaction by itself (RFC 5321 §4.1.1.4).
    expect(server.commands.at(-1)).toBe(verb === '.' ? 'DATA' : 'RSET');
    expect(connection.usable).toBe(true);

    const next = await connection.send(envelope, raw);
    expect(next.response).toBe('250 2.0.0 Ok: queued as SCRIPT1');
    expect(server.connections).toBe(1);
    expect(server.messages.at(-1)!.equals(raw)).toBe(true);
  });

  it('sends to the recipients accepted and reports the one refused', async () => {
    const [server, connection] = await serverAndConnection({ extensions, answer: (c) => (c.includes('gone@') ? '550 5.1.1 gone' : undefined) });
    const result = await connection.send({ from: envelope.from, to: ['gone@example.org', 'zoe@example.org'] }, raw);
    expect(result).toMatchObject({ accepted: ['zoe@example.org'], rejected: [{ address: 'gone@example.org', responseCode: 550, response: '550 5.1.1 gone' }] });
    expect(server.messages).toHaveLength(1);
  });

  it.each(['MAIL', 'RCPT', 'DATA', '.'])('421 in answer to %s: an error with code 421, and the connection is closed', async (verb) => {
    const [, connection] = await serverAndConnection({ extensions, answer: once(verb, '421 4.3.2 Service shutting down') });
    const err = await failureOf(connection.send(envelope, raw));
    expect(err).toMatchObject({ code: 'ECONNECTION', responseCode: 421, response: '421 4.3.2 Service shutting down' });
    expect(connection.usable).toBe(false);
  });

  it('a connection dropped after the final dot, before the reply, is an error, not a success', async () => {
    const [server, connection] = await serverAndConnection({ extensions, answer: once('.', 'drop') });
    const err = await failureOf(connection.send(envelope, raw));
    expect(err).toMatchObject({ code: 'ECONNECTION', command: 'message' });
    expect(err.responseCode).toBeUndefined();
    expect(classifySendError(err).outcome).toBe('retry');
    expect(server.messages).toHaveLength(1);
    expect(connection.usable).toBe(false);
  });

  it('a server silent after the final dot times out (ETIMEDOUT), never a success', async () => {
    const [, connection] = await serverAndConnection({ extensions, answer: once('.', 'silent') }, { socketTimeoutMs: 300 });
    const started = Date.now();
    const err = await failureOf(connection.send(envelope, raw));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', command: 'message' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(connection.usable).toBe(false);
  });
});

describe('smtp transaction: a relay that dies mid-message', () => {
  it('fails the message (ECONNECTION) when the server resets the connection during DATA', async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    sink.dropDuringData = (address) => address === 'zoe@example.org';
    const connection = await openSmtpConnection({ host: '127.0.0.1', port: sink.port, security: 'none' });
    // Large enough that the server reads part of it before it hangs up.
    const big = Buffer.from(`Subject: big\r\n\r\n${'x'.repeat(998)}\r\n`.repeat(2000));
    const err = await failureOf(connection.send(envelope, big));
    expect(err.code).toBe('ECONNECTION');
    expect(sink.received).toHaveLength(0);
  });
});

describe('smtp connection: timeouts', () => {
  it('gives up on a server that never greets (greeting timeout)', async () => {
    const server = await startScriptedSmtpServer({ greeting: 'silent' });
    cleanups.push(() => server.close());
    const err = await failureOf(openSmtpConnection({ host: '127.0.0.1', port: server.port, security: 'none', greetingTimeoutMs: 200 }));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('no greeting') });
  });

  it('gives up on a TLS connection that never completes (connection timeout)', async () => {
    // A plain server that never greets never answers the TLS ClientHello either.
    const server = await startScriptedSmtpServer({ greeting: 'silent' });
    cleanups.push(() => server.close());
    const err = await failureOf(openSmtpConnection({ host: '127.0.0.1', port: server.port, security: 'tls', connectionTimeoutMs: 200 }));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('took longer than 0.2 s') });
  });

  it('fails a command the server does not answer (socket timeout)', async () => {
    const [, connection] = await serverAndConnection({ answer: once('MAIL', 'silent') }, { socketTimeoutMs: 200 });
    const err = await failureOf(connection.send(envelope, raw));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', command: 'MAIL FROM' });
  });

  it('says QUIT and closes a connection idle for the socket timeout', async () => {
    const [server, connection] = await serverAndConnection({}, { socketTimeoutMs: 200 });
    await connection.send(envelope, raw);
    const ended = new Promise((resolve) => connection.onEnd(resolve));
    await ended;
    expect(server.commands.at(-1)).toBe('QUIT');
    expect(connection.usable).toBe(false);
  });
});
