// The whole path of an outgoing webhook: an event recorded, a delivery queued by the
// trigger, the sender's loop POSTing it to a real HTTP server on loopback, the signature
// verified there as docs/webhooks.md tells receivers to, and the outcome on the row.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { freePort } from '../../node/free-port';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliveries, webhookEndpoints } from '../../shared/db/schema';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import type { OutgoingEventName } from '../../shared/webhooks/outgoing-events';
import { createTestApp, type TestApp } from '../../test/helpers/app';
import { dropQueue, startTestSender, testSenderConfig, waitFor } from '../../test/helpers/sender';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import type { WorkLoop } from '../work-loop';
import { createWebhookDeliverer, type WebhookDelivererOptions } from './webhook-deliverer';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A receiver on loopback: each path answers its own way; '/held' answers only when released. */
async function startReceiver(): Promise<{ server: Server; base: string; received: Received[]; release(): void }> {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      if (path === '/ok') res.writeHead(200).end('thanks');
      else if (path === '/fail') res.writeHead(500).end(`database down ${'x'.repeat(3000)}`);
      else if (path === '/gone') res.writeHead(410).end();
      else if (path === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else if (path === '/held') held.push(res);
      // '/hang' never answers.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    release: () => held.splice(0).forEach((res) => res.writeHead(200).end()),
  };
}

/** What a receiver does (docs/webhooks.md): HMAC-SHA256 of "id.timestamp.body" under the secret's bytes. */
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((s) => {
      const [version, signature] = s.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('webhook deliverer', () => {
  let t: TestApp;
  let seed: SeededMessages;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let loop: WorkLoop | undefined;
  beforeEach(async () => {
    t = await createTestApp();
    seed = await seedMessages(t.database.db, 2);
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
    receiver.server.closeAllConnections();
    await new Promise((r) => receiver.server.close(r));
    t.close();
  });

  function startLoop(over: Partial<WebhookDelivererOptions> = {}) {
    loop = createWebhookDeliverer({
      db: t.database.db,
      secretsKeys: [t.deps.keys.secrets],
      senderId: 'test-sender',
      timeoutMs: 2000,
      maxAttempts: 3,
      retryBaseMs: 20,
      idleMs: 20,
      ...over,
    });
    loop.start();
  }

  async function addEndpoint(path: string, events: OutgoingEventName[] = ['message.bounced']) {
    const { status, body } = await t.api('POST', '/api/webhook-endpoints', { url: `${receiver.base}${path}`, events });
    expect(status).toBe(201);
    return body as { id: number; secret: string };
  }

  const bounce = (key: string, messageId = seed.messageIds[0]!) =>
    recordDeliveryEvents(t.database.db, [
      { key, source: 'bounce-inbox', type: 'bounce', bounceClass: 'hard', messageId, recipient: 'reader1@example.com', occurredAt: Date.now(), status: '5.1.1', diagnostic: '550 5.1.1 no such user' },
    ]);

  const delivery = async (endpointId: number) => (await t.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)))[0]!;
  const settled = (endpointId: number) =>
    waitFor(`a final outcome for endpoint ${endpointId}`, async () => {
      const row = await delivery(endpointId);
      return row.status === 'pending' ? undefined : row;
    });

  it('delivers a recorded bounce to the endpoint, signed so that the receiver verifies it', async () => {
    const endpoint = await addEndpoint('/ok');
    await bounce('inbox:1');
    startLoop();
    const row = await settled(endpoint.id);

    expect(receiver.received).toHaveLength(1);
    const [call] = receiver.received;
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.headers['webhook-id']).toBe(`msg_${row.id}`);
    expect(Math.abs(Number(call!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(verifies(endpoint.secret, call!.headers, call!.body)).toBe(true);
    expect(verifies(endpoint.secret, call!.headers, call!.body.replace('5.1.1', '5.1.2'))).toBe(false);
    expect(JSON.parse(call!.body)).toMatchObject({ type: 'message.bounced', data: { email: 'reader1@example.com', bounceClass: 'hard', diagnostic: '550 5.1.1 no such user' } });
    expect(call!.body).toBe(row.payload);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastResponse: 'thanks', lastError: null, claimedBy: null });

    const listed = await t.api('GET', `/api/webhook-endpoints/${endpoint.id}/deliveries`);
    expect(listed.body.data[0]).toMatchObject({ id: row.id, status: 'delivered', lastStatus: 200, lastResponse: 'thanks', nextAttemptAt: null });
  });

  it('retries a failing endpoint with backoff, the same id and body each time, then marks the delivery failed', async () => {
    const endpoint = await addEndpoint('/fail');
    await bounce('inbox:2');
    startLoop();
    const row = await settled(endpoint.id);

    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([`msg_${row.id}`]));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const call of receiver.received) expect(verifies(endpoint.secret, call.headers, call.body)).toBe(true);
    // Backoff: the second wait is about twice the first (20 ms, then 40 ms, ± 20 %).
    const [a, b, c] = receiver.received.map((r) => r.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(16);
    expect(c - b).toBeGreaterThanOrEqual(32);
    expect(row).toMatchObject({ status: 'failed', attempts: 3, lastStatus: 500 });
    expect(row.lastResponse).toHaveLength(1024);
    expect(row.lastResponse!.startsWith('database down')).toBe(true);
    expect(row.lastError).toMatch(/answered 500/);

    // A manual retry sends it once more, now.
    expect((await t.api('POST', `/api/webhook-deliveries/${row.id}/retry`)).status).toBe(202);
    await waitFor('the retried attempt', async () => (receiver.received.length > 3 ? true : undefined));
  });

  it('records timeouts, refused connections, blocked ports and redirects as failed attempts, saying which', async () => {
    const hang = await addEndpoint('/hang');
    const moved = await addEndpoint('/moved');
    const { body: closed } = await t.api('POST', '/api/webhook-endpoints', { url: `http://127.0.0.1:${await freePort()}/nothing-listens`, events: ['message.bounced'] });
    const { body: blocked } = await t.api('POST', '/api/webhook-endpoints', { url: 'http://127.0.0.1:25/smtp', events: ['message.bounced'] });
    await bounce('inbox:3');
    startLoop({ timeoutMs: 300, maxAttempts: 1 });
    expect((await settled(hang.id)).lastError).toBe('no answer within 0.3 s');
    expect(await settled(moved.id)).toMatchObject({ status: 'failed', lastStatus: 302, lastError: expect.stringMatching(/redirects are not followed/) });
    expect(await settled(closed.id)).toMatchObject({ status: 'failed', lastStatus: null, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect((await settled(blocked.id)).lastError).toMatch(/port that HTTP clients refuse/);
    // The redirect was not followed.
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/hang', '/moved']);
  });

  it('fails an attempt without calling the endpoint when its secret cannot be opened, and says to rotate it', async () => {
    const endpoint = await addEndpoint('/ok');
    await t.database.db.update(webhookEndpoints).set({ secret: 'v1.sealed-under-another-key' }).where(eq(webhookEndpoints.id, endpoint.id));
    await bounce('inbox:6');
    startLoop({ maxAttempts: 1 });
    const row = await settled(endpoint.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null });
    expect(row.lastError).toMatch(new RegExp(`cannot be used .*rotate-secret`));
    expect(receiver.received).toEqual([]);
  });

  it('disables an endpoint that answers 410 Gone, after one attempt', async () => {
    const endpoint = await addEndpoint('/gone');
    await bounce('inbox:4');
    startLoop({ maxAttempts: 5 });
    expect(await settled(endpoint.id)).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 410 });
    expect((await t.api('GET', `/api/webhook-endpoints/${endpoint.id}`)).body.active).toBe(false);
    await bounce('inbox:5', seed.messageIds[1]);
    expect(await t.database.db.$count(webhookDeliveries, eq(webhookDeliveries.endpointId, endpoint.id))).toBe(1);
  });

  it('keeps a slow endpoint to its own slots, so the others are delivered meanwhile', async () => {
    const slow = await addEndpoint('/held');
    const quick = await addEndpoint('/ok');
    for (let i = 0; i < 6; i++) await bounce(`inbox:slow-${i}`, seed.messageIds[i % 2]);
    startLoop({ concurrency: 4, perEndpoint: 2 });
    // The slow endpoint has not answered anything yet, so this can only pass if it holds two slots, not four.
    await waitFor('every quick delivery', async () => {
      const rows = await t.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, quick.id));
      return rows.every((r) => r.status === 'delivered') ? true : undefined;
    });
    expect(receiver.received.filter((r) => r.path === '/held')).toHaveLength(2);
    receiver.release();
    await waitFor('every slow delivery', async () => {
      const rows = await t.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, slow.id));
      if (rows.some((r) => r.status !== 'delivered')) {
        receiver.release();
        return undefined;
      }
      return true;
    });
    expect(receiver.received.filter((r) => r.path === '/held')).toHaveLength(6);
  });

  it('signs with the new and the previous secret after a rotation with a grace period', async () => {
    const endpoint = await addEndpoint('/ok', ['subscriber.unsubscribed']);
    const rotated = await t.api('POST', `/api/webhook-endpoints/${endpoint.id}/rotate-secret`, { graceHours: 1 });
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    await recordDeliveryEvents(t.database.db, [{ key: 'pm:u1', source: 'postmark', type: 'unsubscribe', messageId: seed.messageIds[0], recipient: 'reader1@example.com', occurredAt: Date.now() }]);
    startLoop();
    await settled(endpoint.id);
    const [call] = receiver.received;
    const signatures = String(call!.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    const only = (s: string) => ({ ...call!.headers, 'webhook-signature': s });
    expect(verifies(rotated.body.secret, only(signatures[0]!), call!.body)).toBe(true);
    expect(verifies(endpoint.secret, only(signatures[1]!), call!.body)).toBe(true);
  });

  it('runs in every sender container: startSender sends a test ping with the configured timeout', async () => {
    const endpoint = await addEndpoint('/hang');
    // The receiver is on loopback, which a sender refuses to call unless told otherwise.
    const config = testSenderConfig({ DATABASE_URL: t.database.url, WEBHOOK_TIMEOUT_SECONDS: '1', WEBHOOK_MAX_ATTEMPTS: '1', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    const sender = await startTestSender(t.database.db, config);
    try {
      const ping = await t.api('POST', `/api/webhook-endpoints/${endpoint.id}/test`);
      expect(ping.status).toBe(202);
      expect(await settled(endpoint.id)).toMatchObject({ event: 'ping', status: 'failed', lastError: 'no answer within 1 s' });
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: 'ping', data: { endpointId: endpoint.id } });
    } finally {
      await sender.close();
      await dropQueue(config);
    }
  });

  it('calls only public addresses by default: an endpoint on loopback is refused, and nothing reaches it', async () => {
    const endpoint = await addEndpoint('/ok');
    const config = testSenderConfig({ DATABASE_URL: t.database.url, WEBHOOK_MAX_ATTEMPTS: '1' });
    const sender = await startTestSender(t.database.db, config);
    try {
      expect((await t.api('POST', `/api/webhook-endpoints/${endpoint.id}/test`)).status).toBe(202);
      const row = await settled(endpoint.id);
      expect(row).toMatchObject({ event: 'ping', status: 'failed' });
      expect(row.lastError).toMatch(/^EADDRNOTPUBLIC: 127\.0\.0\.1 is a private or local address/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await sender.close();
      await dropQueue(config);
    }
  });
});
