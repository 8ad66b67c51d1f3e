import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptSecrets } from '../../shared/secret-box';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const signingKey = 'key-0123456789abcdef0123456789abcdef';
const mailgun = { provider: 'mailgun', name: 'Mailgun EU', secrets: { signingKey } };

describe('relay webhooks API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const storedSecrets = async (id: number) =>
    (await t.database.client.execute({ sql: 'select secrets from relay_webhooks where id = ?', args: [id] })).rows[0]!.secrets as string | null;

  it('saves a source with sealed secrets, answers with the URL to paste, and never returns a secret', async () => {
    const { status, body } = await t.api('POST', '/api/relay-webhooks', mailgun);
    expect(status).toBe(201);
    expect(body).toMatchObject({
      provider: 'mailgun',
      name: 'Mailgun EU',
      config: {},
      secretsSet: ['signingKey'],
      secretsProblem: null,
      url: 'http://edge.test/hooks/mailgun',
      lastReceivedAt: null,
    });
    const everything = JSON.stringify([body, (await t.api('GET', `/api/relay-webhooks/${body.id}`)).body, (await t.api('GET', '/api/relay-webhooks')).body]);
    expect(everything).not.toContain(signingKey);

    const sealed = await storedSecrets(body.id);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(signingKey);
    expect(await decryptSecrets(t.deps.keys.secrets, sealed!)).toEqual({ signingKey });
  });

  it("gives Elastic Email's URL with an empty token for the marketer to fill, never the token", async () => {
    const token = 'a'.repeat(32);
    const { status, body } = await t.api('POST', '/api/relay-webhooks', { provider: 'elasticemail', name: 'EE', secrets: { token } });
    expect(status).toBe(201);
    expect(body.url).toBe('http://edge.test/hooks/elasticemail?token=');
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it("validates settings with the provider's schemas, naming each field", async () => {
    const ses = await t.api('POST', '/api/relay-webhooks', { provider: 'ses', name: 'SES', config: { topicArns: ['nope'] }, secrets: { extra: 1 } });
    expect(ses.status).toBe(400);
    expect(ses.body.error.code).toBe('VALIDATION');
    expect(ses.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['config.topicArns.0', 'secrets']);
    expect(ses.body.error.message).toContain('config.topicArns.0');
    expect(ses.body.error.details.find((d: { path: string }) => d.path === 'secrets').message).toContain('extra');

    const missing = await t.api('POST', '/api/relay-webhooks', { provider: 'mailgun', name: 'x' });
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(['secrets.signingKey']);
    const unknown = await t.api('POST', '/api/relay-webhooks', { provider: 'pigeon', name: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('provider');
    expect((await t.api('GET', '/api/relay-webhooks')).body.data).toEqual([]);
  });

  it('PATCH renames and replaces config, and replaces secrets only when given', async () => {
    const created = (await t.api('POST', '/api/relay-webhooks', { provider: 'ses', name: 'SES', config: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:a'] } })).body;
    const renamed = await t.api('PATCH', `/api/relay-webhooks/${created.id}`, { name: 'SES eu-west-1', config: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:b'] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'SES eu-west-1', config: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:b'] }, secretsSet: [] });

    const source = (await t.api('POST', '/api/relay-webhooks', mailgun)).body;
    const sealed = await storedSecrets(source.id);
    expect((await t.api('PATCH', `/api/relay-webhooks/${source.id}`, { name: 'Mailgun US' })).body).toMatchObject({ name: 'Mailgun US', secretsSet: ['signingKey'] });
    expect(await storedSecrets(source.id)).toBe(sealed);

    const rotated = await t.api('PATCH', `/api/relay-webhooks/${source.id}`, { secrets: { signingKey: 'key-rotated' } });
    expect(rotated.status).toBe(200);
    expect(await decryptSecrets(t.deps.keys.secrets, (await storedSecrets(source.id))!)).toEqual({ signingKey: 'key-rotated' });

    const bad = await t.api('PATCH', `/api/relay-webhooks/${source.id}`, { secrets: { signingKey: ' ' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('secrets.signingKey');
    expect((await t.api('PATCH', `/api/relay-webhooks/${source.id}`, {})).status).toBe(400);
    expect((await t.api('PATCH', `/api/relay-webhooks/${source.id}`, { provider: 'ses' })).status).toBe(400);
    expect((await t.api('PATCH', '/api/relay-webhooks/999', { name: 'x' })).status).toBe(404);
  });

  it('lists by provider in pages, and deletes', async () => {
    const a = (await t.api('POST', '/api/relay-webhooks', mailgun)).body;
    const b = (await t.api('POST', '/api/relay-webhooks', { ...mailgun, name: 'Second' })).body;
    const c = (await t.api('POST', '/api/relay-webhooks', { provider: 'ses', name: 'SES', config: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses'] } })).body;

    const first = (await t.api('GET', '/api/relay-webhooks?provider=mailgun&limit=1')).body;
    expect(first.data.map((s: { id: number }) => s.id)).toEqual([a.id]);
    expect((await t.api('GET', `/api/relay-webhooks?provider=mailgun&limit=1&cursor=${first.nextCursor}`)).body).toMatchObject({ data: [{ id: b.id }], nextCursor: null });
    expect((await t.api('GET', '/api/relay-webhooks?provider=ses')).body.data.map((s: { id: number }) => s.id)).toEqual([c.id]);
    expect((await t.api('GET', '/api/relay-webhooks?provider=pigeon')).status).toBe(400);

    expect((await t.api('DELETE', `/api/relay-webhooks/${a.id}`)).status).toBe(204);
    expect((await t.api('DELETE', `/api/relay-webhooks/${a.id}`)).status).toBe(404);
    expect((await t.api('GET', `/api/relay-webhooks/${a.id}`)).status).toBe(404);
    expect((await t.api('GET', '/api/relay-webhooks')).body.data.map((s: { id: number }) => s.id)).toEqual([b.id, c.id]);
  });

  it('says when stored secrets cannot be opened, without failing', async () => {
    const source = (await t.api('POST', '/api/relay-webhooks', mailgun)).body;
    await t.database.client.execute({ sql: "update relay_webhooks set secrets = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA' where id = ?", args: [source.id] });
    const { status, body } = await t.api('GET', `/api/relay-webhooks/${source.id}`);
    expect(status).toBe(200);
    expect(body.secretsSet).toEqual([]);
    expect(body.secretsProblem).toContain('PATCH');
  });

  it('requires the API key', async () => {
    expect((await t.request('/api/relay-webhooks')).status).toBe(401);
  });
});
