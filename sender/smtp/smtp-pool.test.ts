// The pool against a scripted server on loopback: connections opened lazily and reused, never
// more than maxConnections, sends waiting in order, dead connections replaced without
// failing the message, close() that QUITs and fails what still waits.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
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

/**
 * A PIPELINING server that holds its reply to each dot until the next MAIL FROM arrives (or
 * 300 ms pass), so a client that waits for that reply before writing its next message shows
 * in the log as a 300 ms pause. `dotReplies[i]` answers the i-th message it receives on any
 * connection; 'drop' closes that connection instead. Without `pipelining` its EHLO does not
 * offer PIPELINING.
 */
async function startHoldingServer(dotReplies: string[] = [], pipelining = true, poolOptions: Partial<SmtpPoolOptions> = {}) {
  const log: string[] = [];
  const bodies: string[] = [];
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let buffered = '';
    let inData = false;
    let held: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const say = (line: string) => {
      log.push(`> ${line}`);
      socket.write(`${line}\r\n`);
    };
    const answerDot = () => {
      clearTimeout(timer);
      const reply = held;
      held = null;
      if (reply === 'drop') socket.destroy();
      else if (reply !== null) say(reply);
    };
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      while (!socket.destroyed) {
        if (inData) {
          const end = buffered.indexOf('\r\n.\r\n');
          if (end === -1) return;
          bodies.push(buffered.slice(0, end));
          buffered = buffered.slice(end + 5);
          inData = false;
          log.push(`< . ${bodies.length}`);
          held = dotReplies[bodies.length - 1] ?? `250 2.0.0 Ok: queued as H${bodies.length}`;
          timer = setTimeout(answerDot, 300);
          continue;
        }
        const lf = buffered.indexOf('\r\n');
        if (lf === -1) return;
        const line = buffered.slice(0, lf);
        buffered = buffered.slice(lf + 2);
        log.push(`< ${line}`);
        const verb = line.slice(0, 4).toUpperCase();
        // The reply to the dot comes first: replies go in the order of what they answer.
        if (verb === 'MAIL' || verb === 'QUIT') answerDot();
        if (socket.destroyed) return;
        if (verb === 'EHLO') say(pipelining ? '250-holding.test\r\n250 PIPELINING' : '250 holding.test');
        else if (verb === 'DATA') (inData = true), say('354 go ahead');
        else if (verb === 'QUIT') say('221 bye'), socket.end();
        else say('250 Ok');
      }
    });
    say('220 holding.test ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const pool = createSmtpPool({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, security: 'none', maxConnections: 1, ...poolOptions });
  cleanups.push(() => pool.close());
  return { pool, log, bodies, connections: () => connections };
}

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

  describe('with PIPELINING, the next message behind a message before its reply (RFC 2920)', () => {
    it('writes the next message\'s commands behind a message\'s dot, so no reply waits on the next message', async () => {
      const { pool, log, bodies } = await startHoldingServer();
      const results = await Promise.all([1, 2, 3].map((n) => pool.send(to(n), raw(n))));
      expect(results.map((r) => r.response)).toEqual(['250 2.0.0 Ok: queued as H1', '250 2.0.0 Ok: queued as H2', '250 2.0.0 Ok: queued as H3']);
      expect(bodies).toEqual([1, 2, 3].map((n) => raw(n).toString('latin1').slice(0, -2)));
      // Message 2's MAIL FROM reached the server before it answered message 1's dot, and 3's before 2's.
      for (const n of [1, 2]) {
        const nextMail = log.indexOf(`< MAIL FROM:<bounces@shop.example>`, log.indexOf(`< . ${n}`));
        expect(nextMail, log.join('\n')).toBeGreaterThan(-1);
        expect(nextMail, log.join('\n')).toBeLessThan(log.indexOf(`> 250 2.0.0 Ok: queued as H${n}`));
      }
    });

    it('waits for the reply to the dot before the next message when the server does not offer PIPELINING', async () => {
      const { pool, log } = await startHoldingServer([], false);
      await Promise.all([1, 2].map((n) => pool.send(to(n), raw(n))));
      const firstReply = log.indexOf('> 250 2.0.0 Ok: queued as H1');
      expect(firstReply, log.join('\n')).toBeGreaterThan(-1);
      expect(log.indexOf('< MAIL FROM:<bounces@shop.example>', log.indexOf('< . 1'))).toBeGreaterThan(firstReply);
    });

    it('with pipelining switched off, sends each command after the reply to the one before, though the server offers it', async () => {
      const { pool, log } = await startHoldingServer([], true, { pipelining: false });
      await Promise.all([1, 2].map((n) => pool.send(to(n), raw(n))));
      const firstReply = log.indexOf('> 250 2.0.0 Ok: queued as H1');
      expect(firstReply, log.join('\n')).toBeGreaterThan(-1);
      expect(log.indexOf('< MAIL FROM:<bounces@shop.example>', log.indexOf('< . 1'))).toBeGreaterThan(firstReply);
      // MAIL FROM, RCPT TO and DATA one at a time: each line the server read follows its answer to the one before.
      const commands = log.slice(log.indexOf('< MAIL FROM:<bounces@shop.example>'), log.indexOf('< . 1'));
      expect(commands, log.join('\n')).toEqual(['< MAIL FROM:<bounces@shop.example>', '> 250 Ok', '< RCPT TO:<r1@example.org>', '> 250 Ok', '< DATA', '> 354 go ahead']);
    });

    it('a refusal of a message\'s dot fails that message alone, with no RSET, and the message behind it is sent', async () => {
      const { pool, log, bodies, connections } = await startHoldingServer(['552 5.3.4 Message too big']);
      const [first, second] = await Promise.allSettled([pool.send(to(1), raw(1)), pool.send(to(2), raw(2))]);
      expect(first).toMatchObject({ status: 'rejected', reason: { code: 'EMESSAGE', responseCode: 552 } });
      expect(second).toMatchObject({ status: 'fulfilled', value: { response: '250 2.0.0 Ok: queued as H2' } });
      expect(bodies).toHaveLength(2);
      expect(log.filter((line) => line.startsWith('< RSET'))).toEqual([]);
      expect(connections()).toBe(1);
    });

    it('a drop after a message\'s dot fails that message, never as a success; the one written behind it goes again on a new connection, once', async () => {
      const { pool, bodies, connections } = await startHoldingServer(['drop']);
      const [first, second] = await Promise.allSettled([pool.send(to(1), raw(1)), pool.send(to(2), raw(2))]);
      expect(first).toMatchObject({ status: 'rejected', reason: { code: 'ECONNECTION', command: 'message' } });
      expect((first as PromiseRejectedResult).reason.unanswered).toBeUndefined();
      expect(second).toMatchObject({ status: 'fulfilled', value: { response: '250 2.0.0 Ok: queued as H2' } });
      // Message 2 never reached DATA on the dropped connection: it arrived once, on the second.
      expect(bodies.filter((body) => body.includes('message 2'))).toHaveLength(1);
      expect(connections()).toBe(2);
    });
  });
});
