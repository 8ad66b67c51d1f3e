// A live check of a sending server, end to end: the API asks, the sender plane builds the
// server's driver and tries the relay's login, and the answer comes back through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';
import { startStack, type Stack } from './helpers/stack';

describe('POST /api/sending-servers/:id/validate with a sender running', () => {
  let stack: Stack;
  let relay: SmtpSink;
  beforeAll(async () => {
    stack = await startStack();
    relay = await startSmtpSink({ auth: { user: 'mailer', pass: 'right' } });
  });
  afterAll(async () => {
    await relay?.close();
    await stack?.close();
  });

  it('reports refused credentials at secrets, and ok once they are fixed', async () => {
    const server = await stack.api('POST', '/sending-servers', {
      name: 'relay with login',
      driver: 'smtp',
      config: { host: '127.0.0.1', port: relay.port, security: 'none' },
      secrets: { user: 'mailer', pass: 'wrong' },
    });
    const refused = await stack.api('POST', `/sending-servers/${server.id}/validate`);
    expect(refused.ok).toBe(false);
    expect(refused.connection.status).toBe('failed');
    expect(refused.problems).toEqual([{ path: 'secrets', message: expect.stringMatching(/Authentication credentials invalid/) }]);
    expect(relay.received).toHaveLength(0);

    await stack.api('PATCH', `/sending-servers/${server.id}`, { secrets: { pass: 'right' } });
    expect((await stack.api('GET', `/sending-servers/${server.id}`)).connectionCheck.status).toBe('never');
    const accepted = await stack.api('POST', `/sending-servers/${server.id}/validate`);
    expect(accepted).toMatchObject({ ok: true, problems: [], connection: { status: 'ok' } });
    expect((await stack.api('GET', `/sending-servers/${server.id}`)).connectionCheck.status).toBe('ok');
  });
});
