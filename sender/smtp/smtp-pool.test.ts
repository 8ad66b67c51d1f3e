// The pool against a scripted server on loopback: connections opened lazily and reused, never
// more than maxConnections, sends waiting in order, dead connections replaced without
// failing the message, close() that QUITs and fails what still waits.
import { afterEach, describe, expect, it } from 'vitest';
import type { SmtpError } from './smtp-error';
import { createSmtpPool, type SmtpPool, type SmtpPoolOptions } from './smtp-pool';
import { startScriptedSmtpServer, type ScriptedSmtpOptions, type ScriptedSmtpServer } from './testing/scripted-smtp-server';

const raw = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\nmessage ${n}\r\n`);
const to = (n: number) => ({ from: 'bounces@shop.example', to: [`r${n}@example.org`] });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function setUp(options: ScriptedSmtpOptions = {}, poolOptions: Partial<SmtpPoolOptions> = {}): Promise<[ScriptedSmtpServer, SmtpPool]> {
  const server = await startScriptedSmtpServer(options);
  cleanups.push(() => server.close());
  const pool = createSmtpPool({ host: '127.0.0.1', port: server.port, security: 'none', ...poolOptions });
  cleanups.push(() => pool.close());
  return [server, pool];
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('smtp pool', () => {
  it('opens connections only when needed, reuses them, and never holds more than maxConnections', async () => {
    let mostOpen = 0;
    const opens: ScriptedSmtpServer[] = [];
    const [server, pool] = await setUp({
      answer(command) {
        if (command === 'greeting') mostOpen = Math.max(mostOpen, opens[0]!.open);
        return undefined;
      },
    }, { maxConnections: 3 });
    opens.push(server);
    expect(pool.size).toBe(0);
    expect(server.connections).toBe(0);
    await pool.send(to(0), raw(0));
    expect(server.connections).toBe(1);
    await Promise.all(Array.from({ length: 60 }, (_, i) => pool.send(to(i + 1), raw(i + 1))));
    expect(server.messages).toHaveLength(61);
    expect(server.connections).toBe(3);
    expect(mostOpen).toBeLessThanOrEqual(3);
    expect(pool.size).toBe(3);
    expect(pool.opened).toBe(3);
  });

  it('sends waiting messages in the order they came, one transaction at a time on a connection', async () => {
    const [server, pool] = await setUp({}, { maxConnections: 1 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => pool.send(to(i), raw(i))));
    expect(server.messages.map((m) => m.toString())).toEqual(Array.from({ length: 10 }, (_, i) => raw(i).toString()));
    // Each transaction's commands come whole and in turn: MAIL, RCPT, DATA, then the next MAIL.
    const verbs = server.commands.filter((c) => /^(MAIL|RCPT|DATA)/.test(c)).map((c) => c.slice(0, 4));
    expect(verbs).toEqual(Array.from({ length: 10 }, () => ['MAIL', 'RCPT', 'DATA']).flat());
    expect(server.connections).toBe(1);
  });

  it('drops a connection the server closed while idle; the next send opens a new one and succeeds', async () => {
    const [server, pool] = await setUp({}, { maxConnections: 2 });
    await pool.send(to(1), raw(1));
    server.dropAll();
    for (let i = 0; i < 50 && pool.size > 0; i++) await tick(10);
    expect(pool.size).toBe(0);
    const result = await pool.send(to(2), raw(2));
    expect(result.response).toMatch(/^250 /);
    expect(server.connections).toBe(2);
  });

  it('drops a connection closed with a 421 while idle, then sends on a new one', async () => {
    const [server, pool] = await setUp({}, { maxConnections: 1 });
    await pool.send(to(1), raw(1));
    server.sayAllAndClose('421 4.4.2 scripted.test Error: timeout exceeded');
    for (let i = 0; i < 50 && pool.size > 0; i++) await tick(10);
    expect(pool.size).toBe(0);
    await pool.send(to(2), raw(2));
    expect(server.messages).toHaveLength(2);
    expect(server.connections).toBe(2);
  });

  it('retries once on a fresh connection when the connection dies before MAIL FROM is answered', async () => {
    // Connection 1 hangs up on receiving MAIL: the server judged nothing of the message.
    const [server, pool] = await setUp({ answer: (c, connection) => (c.startsWith('MAIL') && connection === 1 ? 'drop' : undefined) });
    const result = await pool.send(to(1), raw(1));
    expect(result.response).toMatch(/^250 /);
    expect(server.connections).toBe(2);
    expect(server.messages).toHaveLength(1);
  });

  it('does not retry a message once the server answered part of it', async () => {
    const [server, pool] = await setUp({ answer: (c, connection) => (c === 'DATA' && connection === 1 ? 'drop' : undefined) }, { maxConnections: 1 });
    const err = (await pool.send(to(1), raw(1)).catch((e: unknown) => e)) as SmtpError;
    expect(err.code).toBe('ECONNECTION');
    expect(server.connections).toBe(1);
    // The pool recovers: the next message goes on a new connection.
    await pool.send(to(2), raw(2));
    expect(server.connections).toBe(2);
  });

  it('fails a send whose connection cannot be opened, and keeps serving the queue', async () => {
    const server = await startScriptedSmtpServer();
    const port = server.port;
    await server.close();
    const pool = createSmtpPool({ host: '127.0.0.1', port, security: 'none', maxConnections: 1 });
    cleanups.push(() => pool.close());
    const results = await Promise.allSettled([pool.send(to(1), raw(1)), pool.send(to(2), raw(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['ECONNECTION', 'ECONNECTION']);
    expect(pool.size).toBe(0);
  });

  it('close(): QUITs idle connections, lets the message on the wire finish, fails queued sends', async () => {
    const [server, pool] = await setUp({}, { maxConnections: 1 });
    await pool.send(to(0), raw(0));
    // The first takes the one connection; the second waits for it.
    const first = pool.send(to(1), raw(1));
    const queued = pool.send(to(2), raw(2));
    const closed = pool.close();
    const [firstResult, queuedResult] = await Promise.allSettled([first, queued]);
    await closed;
    expect(firstResult.status).toBe('fulfilled');
    expect(queuedResult).toMatchObject({ status: 'rejected', reason: { code: 'ECONNECTION', message: 'pool closed' } });
    expect(server.commands.at(-1)).toBe('QUIT');
    await tick(20);
    expect(server.open).toBe(0);
    expect(await pool.send(to(3), raw(3)).catch((e: SmtpError) => e.message)).toBe('pool closed');
  });

  it('verify(): connects, greets and logs in on a connection of its own, then QUITs', async () => {
    const [server, pool] = await setUp();
    await pool.verify();
    expect(server.commands).toEqual([expect.stringMatching(/^EHLO /), 'QUIT']);
    expect(pool.size).toBe(0);
    const refused = await startScriptedSmtpServer({ greeting: '554 5.3.2 No service here' });
    cleanups.push(() => refused.close());
    const err = await createSmtpPool({ host: '127.0.0.1', port: refused.port, security: 'none' }).verify().catch((e: SmtpError) => e);
    expect(err).toMatchObject({ code: 'ECONNECTION', responseCode: 554 });
  });
});
