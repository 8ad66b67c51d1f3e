import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliveries, webhookEndpoints } from '../../shared/db/schema';
import { decryptSecrets } from '../../shared/secret-box';
import { outgoingEventNames } from '../../shared/webhooks/outgoing-events';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const hook = { url: 'https://hooks.example.com/edgepost', events: ['message.bounced', 'subscriber.unsubscribed'] };

describe('webhook endpoints API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const sealed = async (id: number) =>
    (await t.database.db.select({ secret: webhookEndpoints.secret }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!.secret;
  const create = async (body: unknown = hook) => {
    const result = await t.api('POST', '/api/webhook-endpoints', body);
    expect(result.status).toBe(201);
    return result.body as { id: number; secret: string };
  };
  /** A delivery as the triggers or the sender would leave it. */
  const addDelivery = async (endpointId: number, status: 'pending' | 'delivered' | 'failed', event = 'message.bounced') =>
    (await t.database.db.insert(webhookDeliveries).values({ endpointId, event, payload: '{"type":"x","data":{}}', status }).returning())[0]!;

  it('creates an endpoint and shows its secret once, sealed at rest', async () => {
    const { status, body } = await t.api('POST', '/api/webhook-endpoints', { ...hook, events: [...hook.events, 'message.bounced'], description: ' CRM sync ' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ url: hook.url, description: 'CRM sync', events: hook.events, active: true, previousSecretExpiresAt: null });
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const stored = await sealed(body.id);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(body.secret.slice(6));
    expect(await decryptSecrets(t.deps.keys.secrets, stored)).toEqual({ current: body.secret });

    const fetched = await t.api('GET', `/api/webhook-endpoints/${body.id}`);
    expect(fetched.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await t.api('GET', '/api/webhook-endpoints')).body)).not.toContain(body.secret);
  });

  it('refuses a URL that is not http(s) or holds credentials, unknown events, and no events, naming each field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...hook, url: 'ftp://hooks.example.com/x' }, 'url', /http or https/],
      [{ ...hook, url: 'not a url' }, 'url', /http or https/],
      [{ ...hook, url: 'https://user:pass@hooks.example.com/x' }, 'url', /user name or password/],
      [{ ...hook, events: ['message.bounced', 'message.teleported'] }, 'events.1', /^"message.teleported" is not an event; the events are subscriber.created, .*campaign.failed/],
      [{ ...hook, events: ['ping'] }, 'events.0', /ping needs no subscription/],
      [{ ...hook, events: [] }, 'events', /at least one event/],
      [{ ...hook, secret: 'whsec_mine' }, '(body)', /secret/],
    ];
    for (const [body, path, message] of cases) {
      const result = await t.api('POST', '/api/webhook-endpoints', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.body.error.code).toBe('VALIDATION');
      const detail = result.body.error.details.find((d: { path: string }) => d.path === path);
      expect(detail?.message ?? result.body.error.message).toMatch(message);
    }
    expect((await t.api('GET', '/api/webhook-endpoints')).body.data).toEqual([]);
  });

  it('lists by pages, updates, disables and deletes an endpoint with its deliveries', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    const first = await t.api('GET', '/api/webhook-endpoints?limit=2');
    expect(first.body.data.map((e: { id: number }) => e.id)).toEqual([a.id, b.id]);
    const second = await t.api('GET', `/api/webhook-endpoints?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ data: [{ id: c.id }], nextCursor: null });

    const patched = await t.api('PATCH', `/api/webhook-endpoints/${a.id}`, { events: ['campaign.finished'], active: false, url: 'http://127.0.0.1:8080/in' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events: ['campaign.finished'], active: false, url: 'http://127.0.0.1:8080/in' });
    expect((await t.api('PATCH', `/api/webhook-endpoints/${a.id}`, { events: [] })).status).toBe(400);
    expect((await t.api('PATCH', '/api/webhook-endpoints/999', { active: true })).status).toBe(404);

    await addDelivery(b.id, 'delivered');
    expect((await t.api('DELETE', `/api/webhook-endpoints/${b.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/webhook-endpoints/${b.id}`)).status).toBe(404);
    expect(await t.database.db.$count(webhookDeliveries)).toBe(0);
    expect((await t.api('DELETE', `/api/webhook-endpoints/${b.id}`)).body.error.message).toBe(`No webhook endpoint with id ${b.id}.`);
  });

  it('rotates the secret, keeping the old one signing for the grace period asked', async () => {
    const { id, secret } = await create();
    const before = Date.now();
    const rotated = await t.api('POST', `/api/webhook-endpoints/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(24 * 3_600_000 - 5000);
    expect(expires - before).toBeLessThanOrEqual(24 * 3_600_000 + 5000);
    expect(await decryptSecrets(t.deps.keys.secrets, await sealed(id))).toEqual({ current: rotated.body.secret, previous: secret, previousUntil: expires });

    const leaked = await t.api('POST', `/api/webhook-endpoints/${id}/rotate-secret`, { graceHours: 0 });
    expect(leaked.body.previousSecretExpiresAt).toBeNull();
    expect(await decryptSecrets(t.deps.keys.secrets, await sealed(id))).toEqual({ current: leaked.body.secret });
    expect((await t.api('POST', `/api/webhook-endpoints/${id}/rotate-secret`, { graceHours: 500 })).status).toBe(400);
    expect((await t.api('POST', '/api/webhook-endpoints/999/rotate-secret')).status).toBe(404);
  });

  it('queues a ping to an active endpoint only', async () => {
    const { id } = await create();
    const queued = await t.api('POST', `/api/webhook-endpoints/${id}/test`);
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ endpointId: id, event: 'ping', status: 'pending', attempts: 0, payload: { type: 'ping', data: { endpointId: id } } });
    expect(Date.parse(queued.body.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    expect((await t.api('POST', '/api/webhook-endpoints/999/test')).status).toBe(404);
    await t.api('PATCH', `/api/webhook-endpoints/${id}`, { active: false });
    const refused = await t.api('POST', `/api/webhook-endpoints/${id}/test`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disabled; enable it first/);
  });

  it("lists an endpoint's deliveries newest first with their last answer, and filters by status", async () => {
    const { id } = await create();
    const old = await addDelivery(id, 'failed');
    await t.database.db
      .update(webhookDeliveries)
      .set({ attempts: 12, lastStatus: 503, lastResponse: 'busy', lastError: 'the endpoint answered 503', lastAttemptAt: 1_767_225_600_000 })
      .where(eq(webhookDeliveries.id, old.id));
    const recent = await addDelivery(id, 'pending', 'subscriber.unsubscribed');
    const { status, body } = await t.api('GET', `/api/webhook-endpoints/${id}/deliveries?limit=1`);
    expect(status).toBe(200);
    expect(body.data).toEqual([expect.objectContaining({ id: recent.id, status: 'pending', nextAttemptAt: expect.any(String), payload: { type: 'x', data: {} } })]);
    expect(body.data[0]).not.toHaveProperty('claimedBy');
    const next = await t.api('GET', `/api/webhook-endpoints/${id}/deliveries?limit=1&cursor=${body.nextCursor}`);
    expect(next.body).toEqual({
      data: [
        expect.objectContaining({
          id: old.id,
          status: 'failed',
          attempts: 12,
          nextAttemptAt: null,
          lastAttemptAt: '2026-01-01T00:00:00.000Z',
          lastStatus: 503,
          lastResponse: 'busy',
          lastError: 'the endpoint answered 503',
        }),
      ],
      nextCursor: null,
    });
    const failedOnly = await t.api('GET', `/api/webhook-endpoints/${id}/deliveries?status=failed`);
    expect(failedOnly.body.data.map((d: { id: number }) => d.id)).toEqual([old.id]);
    expect((await t.api('GET', `/api/webhook-endpoints/${id}/deliveries?status=lost`)).status).toBe(400);
    expect((await t.api('GET', '/api/webhook-endpoints/999/deliveries')).status).toBe(404);
  });

  it('retries a failed delivery, and refuses one still pending or of a disabled endpoint', async () => {
    const { id } = await create();
    const failed = await addDelivery(id, 'failed');
    const pending = await addDelivery(id, 'pending');
    const retried = await t.api('POST', `/api/webhook-deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    const refused = await t.api('POST', `/api/webhook-deliveries/${pending.id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/still pending; its next attempt is at/);
    expect((await t.api('POST', '/api/webhook-deliveries/999/retry')).status).toBe(404);
  });

  it('publishes the routes and the event catalogue in the OpenAPI document', async () => {
    const doc = (await t.request('/api/openapi.json')).json() as Promise<{ paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>;
    const { paths, components } = await doc;
    for (const path of [
      '/api/webhook-endpoints',
      '/api/webhook-endpoints/{id}',
      '/api/webhook-endpoints/{id}/rotate-secret',
      '/api/webhook-endpoints/{id}/deliveries',
      '/api/webhook-endpoints/{id}/test',
      '/api/webhook-deliveries/{id}/retry',
    ]) {
      expect(paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(components.schemas)).toEqual(expect.arrayContaining(['WebhookEndpoint', 'WebhookEndpointWithSecret', 'WebhookDelivery']));
    const text = JSON.stringify(paths['/api/webhook-endpoints']);
    for (const name of outgoingEventNames) expect(text).toContain(name);
  });
});
