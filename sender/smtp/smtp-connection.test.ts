// The connection against real servers on loopback: smtp-server for TLS, STARTTLS, AUTH and
// what arrives byte for byte; a scripted server for the replies smtp-server will not give.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGoogleOAuth } from '../../test/helpers/fake-google-oauth';
import { openSmtpConnection, type SmtpConnection, type SmtpConnectionOptions } from './smtp-connection';
import { makeLocalCertificate } from './testing/local-certificate';
import { startScriptedSmtpServer, type ScriptedSmtpOptions } from './testing/scripted-smtp-server';
import { startSmtpServerFixture } from './testing/smtp-server-fixture';
import { createOAuthTokenSource } from './xoauth2-token';
import { failureOf } from './testing/failure-of';

const certificate = makeLocalCertificate();
const envelope = { from: 'bounces+1@shop.example', to: ['zoe@example.org'] };
const message = (body = 'Hello Zoë,\r\nsee you.\r\n') => Buffer.from(`From: news@shop.example\r\nTo: zoe@example.org\r\nSubject: hi\r\n\r\n${body}`, 'utf8');
const ascii = (body = 'Hello Zoe,\r\nsee you.\r\n') => Buffer.from(`Subject: hi\r\n\r\n${body}`);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function fixture(options: Parameters<typeof startSmtpServerFixture>[0] = {}) {
  const server = await startSmtpServerFixture(options);
  cleanups.push(() => server.close());
  return server;
}
async function scripted(options: ScriptedSmtpOptions = {}) {
  const server = await startScriptedSmtpServer(options);
  cleanups.push(() => server.close());
  return server;
}
async function open(options: Partial<SmtpConnectionOptions> & { port: number }): Promise<SmtpConnection> {
  const connection = await openSmtpConnection({ host: '127.0.0.1', security: 'none', ...options });
  cleanups.push(() => connection.quit());
  return connection;
}

describe('smtp connection: security modes', () => {
  const tlsServer = { key: certificate.key, cert: certificate.cert };

  it('sends over plain TCP and returns the reply to the final dot', async () => {
    const server = await fixture();
    const connection = await open({ port: server.port });
    const result = await connection.send(envelope, message());
    expect(result).toEqual({ response: '250 Ok: queued as FIXTURE1', accepted: ['zoe@example.org'], rejected: [] });
    expect(server.received[0]).toMatchObject({ from: envelope.from, to: envelope.to, secure: false });
    expect(server.received[0]!.raw.equals(message())).toBe(true);
  });

  it('speaks TLS from the first byte, checking the certificate against the trusted CA', async () => {
    const server = await fixture({ secure: true, ...tlsServer });
    const connection = await open({ port: server.port, security: 'tls', trustedCa: certificate.cert });
    expect(connection.secure).toBe(true);
    await connection.send(envelope, message());
    expect(server.received[0]!.secure).toBe(true);
  });

  it('refuses a certificate it cannot verify (ETLS), TLS from the start or after STARTTLS', async () => {
    const implicit = await fixture({ secure: true, ...tlsServer });
    expect(await failureOf(openSmtpConnection({ host: '127.0.0.1', port: implicit.port, security: 'tls' }))).toMatchObject({ code: 'ETLS' });
    const upgraded = await fixture({ disabledCommands: ['AUTH'], ...tlsServer });
    expect(await failureOf(openSmtpConnection({ host: '127.0.0.1', port: upgraded.port, security: 'starttls' }))).toMatchObject({ code: 'ETLS' });
    // A trusted certificate for another name is refused too.
    const other = makeLocalCertificate('DNS:elsewhere.example');
    const misnamed = await fixture({ secure: true, key: other.key, cert: other.cert });
    const err = await failureOf(openSmtpConnection({ host: '127.0.0.1', port: misnamed.port, security: 'tls', trustedCa: other.cert }));
    expect(err).toMatchObject({ code: 'ETLS', message: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID') });
  });

  it('upgrades with STARTTLS when required, and EHLOs again over TLS', async () => {
    const server = await fixture({ disabledCommands: ['AUTH'], ...tlsServer });
    const connection = await open({ port: server.port, security: 'starttls', trustedCa: certificate.cert });
    expect(connection.secure).toBe(true);
    // smtp-server offers STARTTLS only before TLS: these are the second EHLO's extensions.
    expect(connection.extensions.starttls).toBe(false);
    await connection.send(envelope, message());
    expect(server.received[0]!.secure).toBe(true);
  });

  it('refuses to go on in plain text when STARTTLS is required and not offered', async () => {
    const server = await fixture();
    const err = await failureOf(openSmtpConnection({ host: '127.0.0.1', port: server.port, security: 'starttls' }));
    expect(err).toMatchObject({ code: 'ETLS', command: 'STARTTLS' });
    expect(err.message).toContain('does not offer STARTTLS');
  });

  it('upgrades when offered in opportunistic mode, goes on in plain text when not; never in mode none', async () => {
    const offering = await fixture({ disabledCommands: ['AUTH'], ...tlsServer });
    const plainOnly = await fixture();
    expect((await open({ port: offering.port, security: 'opportunistic', trustedCa: certificate.cert })).secure).toBe(true);
    const plain = await open({ port: plainOnly.port, security: 'opportunistic' });
    expect(plain.secure).toBe(false);
    await plain.send(envelope, message());
    expect(plainOnly.received).toHaveLength(1);
    const never = await open({ port: offering.port, security: 'none' });
    expect(never.secure).toBe(false);
    expect(never.extensions.starttls).toBe(true);
    await never.send(envelope, message());
    expect(offering.received[0]!.secure).toBe(false);
  });
});

describe('smtp connection: AUTH', () => {
  const methods: string[] = [];
  const authServer = (authMethods: string[]) =>
    fixture({
      disabledCommands: ['STARTTLS'],
      authOptional: false,
      allowInsecureAuth: true,
      authMethods,
      onAuth(auth, _session, callback) {
        methods.push(auth.method);
        if (auth.username === 'relay-user' && auth.password === 'relay-pass') return callback(null, { user: auth.username });
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
    });

  it.each([
    [['PLAIN', 'LOGIN'], 'PLAIN'],
    [['LOGIN'], 'LOGIN'],
  ])('offered %j, logs in with %s', async (offered, used) => {
    methods.length = 0;
    const server = await authServer(offered);
    const connection = await open({ port: server.port, credentials: { user: 'relay-user', pass: 'relay-pass' } });
    await connection.send(envelope, message());
    expect(methods).toEqual([used]);
    expect(server.received[0]!.user).toBe('relay-user');
  });

  it('fails with EAUTH and the reply code on a wrong password, without the password in the error', async () => {
    for (const offered of [['PLAIN'], ['LOGIN']]) {
      const server = await authServer(offered);
      const err = await failureOf(openSmtpConnection({ host: '127.0.0.1', port: server.port, security: 'none', credentials: { user: 'relay-user', pass: 'wrong-pass' } }));
      expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535, command: `AUTH ${offered[0]}` });
      expect(JSON.stringify({ ...err, message: err.message })).not.toMatch(/wrong-pass|d3JvbmctcGFzcw/);
    }
  });

  it('logs in with XOAUTH2, and on a refused token fetches a fresh one and tries once more', async () => {
    const oauth = await startFakeGoogleOAuth({ clientId: 'id', clientSecret: 'secret', refreshToken: 'refresh' });
    cleanups.push(() => oauth.close());
    let refuseNext = true;
    const server = await fixture({
      disabledCommands: ['STARTTLS'],
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['XOAUTH2'],
      onAuth(auth, _session, callback) {
        const ok = auth.method === 'XOAUTH2' && auth.username === 'news@shop.example' && oauth.acceptsToken(auth.accessToken ?? '') && !refuseNext;
        refuseNext = false;
        if (ok) return callback(null, { user: auth.username });
        callback(null, { data: { status: '401', schemes: 'Bearer', scope: 'https://mail.google.com/' } });
      },
    });
    const accessToken = createOAuthTokenSource({ clientId: 'id', clientSecret: 'secret', refreshToken: 'refresh', tokenUrl: oauth.tokenUrl });
    const connection = await open({ port: server.port, credentials: { user: 'news@shop.example', accessToken } });
    await connection.send(envelope, message());
    expect(oauth.issued).toHaveLength(2);
    // Another connection with the same source uses the cached token: no third fetch.
    await open({ port: server.port, credentials: { user: 'news@shop.example', accessToken } });
    expect(oauth.issued).toHaveLength(2);

    // Refused twice: EAUTH after exactly one refresh.
    const revoked = await fixture({ disabledCommands: ['STARTTLS'], authOptional: false, allowInsecureAuth: true, authMethods: ['XOAUTH2'], onAuth: (_a, _s, cb) => cb(null, { data: { status: '401' } }) });
    const err = await failureOf(openSmtpConnection({ host: '127.0.0.1', port: revoked.port, security: 'none', credentials: { user: 'news@shop.example', accessToken } }));
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535, command: 'AUTH XOAUTH2' });
    expect(oauth.issued).toHaveLength(3);
  });
});

describe('smtp connection: what goes on the wire', () => {
  it('pipelines MAIL, RCPT and DATA in one write when PIPELINING is offered', async () => {
    const server = await scripted();
    const connection = await open({ port: server.port });
    await connection.send({ from: 'a@shop.example', to: ['b@example.org', 'c@example.org'] }, ascii());
    expect(server.chunks.map((c) => c.text)).toContain('MAIL FROM:<a@shop.example>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n');
    // The message and its final dot went out together too.
    expect(server.chunks.map((c) => c.text)).toContain(`${ascii().toString()}.\r\n`);
  });

  it('sends one command at a time when PIPELINING is not offered', async () => {
    const server = await scripted({ extensions: ['8BITMIME'] });
    const connection = await open({ port: server.port });
    await connection.send({ from: 'a@shop.example', to: ['b@example.org', 'c@example.org'] }, ascii());
    const commandChunks = server.chunks.map((c) => c.text).filter((t) => /^(MAIL|RCPT|DATA)/.test(t));
    expect(commandChunks).toEqual(['MAIL FROM:<a@shop.example>\r\n', 'RCPT TO:<b@example.org>\r\n', 'RCPT TO:<c@example.org>\r\n', 'DATA\r\n']);
    expect(server.messages[0]!.equals(ascii())).toBe(true);
  });

  it('falls back to HELO when EHLO is refused, and then pipelines nothing', async () => {
    const server = await scripted({ answer: (c) => (c.startsWith('EHLO') ? '502 5.5.1 EHLO not implemented' : undefined) });
    const connection = await open({ port: server.port });
    expect(connection.extensions.pipelining).toBe(false);
    await connection.send(envelope, ascii());
    expect(server.commands.slice(0, 3)).toEqual([expect.stringMatching(/^EHLO /), expect.stringMatching(/^HELO /), 'MAIL FROM:<bounces+1@shop.example>']);
  });

  it('dot-stuffs: lines of ".", "..", ".x" and a leading dot arrive byte for byte', async () => {
    const server = await fixture();
    const connection = await open({ port: server.port });
    const bodies = [
      '.first line starts with a dot\r\n.\r\n..\r\n...\r\n.x\r\nnot.a.dot\r\n\r\n.\r\nend\r\n',
      '.\r\n',
      'ends without a line break\r\n.',
    ];
    for (const body of bodies) await connection.send(envelope, Buffer.from(body));
    expect(server.received.map((m) => m.raw.toString())).toEqual([bodies[0], bodies[1], `${bodies[2]}\r\n`]);
  });

  it('refuses a bare LF before writing anything, and the connection stays usable', async () => {
    const server = await scripted();
    const connection = await open({ port: server.port });
    const err = await failureOf(connection.send(envelope, Buffer.from('Subject: x\r\n\r\nbare\nline\r\n')));
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ code: 'EMESSAGE', message: expect.stringContaining('bare line feed') });
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(0);
    await connection.send(envelope, ascii());
    expect(server.messages).toHaveLength(1);
  });

  it('says BODY=8BITMIME for 8-bit bytes, and refuses them when the server lacks 8BITMIME', async () => {
    const server = await fixture();
    const connection = await open({ port: server.port });
    await connection.send(envelope, message('Grüße aus Köln\r\n'));
    await connection.send(envelope, ascii());
    expect(server.received.map((m) => m.bodyType)).toEqual(['8bitmime', '7bit']);
    expect(server.received[0]!.raw.equals(message('Grüße aus Köln\r\n'))).toBe(true);

    const old = await fixture({ hide8BITMIME: true });
    const plain = await open({ port: old.port });
    const err = await failureOf(plain.send(envelope, message('Grüße\r\n')));
    expect(err).toMatchObject({ code: 'EMESSAGE', message: expect.stringContaining('8BITMIME') });
    expect(old.received).toHaveLength(0);
    await plain.send(envelope, ascii());
    expect(old.received).toHaveLength(1);
  });

  it('says SMTPUTF8 for a non-ASCII address, and refuses it when the server lacks SMTPUTF8', async () => {
    const server = await fixture();
    const connection = await open({ port: server.port });
    await connection.send({ from: envelope.from, to: ['zoë@exämple.org'] }, ascii());
    expect(server.received[0]).toMatchObject({ to: ['zoë@exämple.org'], smtpUtf8: true });
    const old = await fixture({ hideSMTPUTF8: true });
    const err = await failureOf((await open({ port: old.port })).send({ from: envelope.from, to: ['zoë@example.org'] }, ascii()));
    expect(err).toMatchObject({ code: 'EMESSAGE', message: expect.stringContaining('SMTPUTF8') });
  });

  it('adds SIZE= when the server states a size, and refuses envelope addresses that would inject commands', async () => {
    const server = await scripted({ extensions: ['PIPELINING', 'SIZE 1000000'] });
    const connection = await open({ port: server.port });
    await connection.send(envelope, ascii());
    expect(server.commands).toContain(`MAIL FROM:<bounces+1@shop.example> SIZE=${ascii().length}`);
    const err = await failureOf(connection.send({ from: 'a@b.example', to: ['x@y.example>\r\nRCPT TO:<z@w.example'] }, ascii()));
    expect(err).toMatchObject({ code: 'EMESSAGE' });
    expect(server.commands.filter((c) => c.includes('w.example'))).toEqual([]);
  });
});
