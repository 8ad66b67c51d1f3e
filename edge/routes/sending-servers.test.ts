import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimServerCheck, recordServerCheck } from '../../shared/queries/server-checks';
import { deriveKeys } from '../../shared/keys';
import { decryptSecrets, encryptSecrets } from '../../shared/secret-box';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const smtp = { name: 'Relay', driver: 'smtp', config: { host: 'smtp.example.com', port: 587 }, secrets: { user: 'mailer', pass: 's3cret' } };

describe('sending servers API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const storedSecrets = async (id: number) =>
    (await t.database.client.execute({ sql: 'select secrets from sending_servers where id = ?', args: [id] })).rows[0]!.secrets as string | null;
  const defaults = async () => ((await t.api('GET', '/api/sending-servers')).body.data as { id: number; isDefault: boolean }[]).filter((s) => s.isDefault).map((s) => s.id);

  it('saves an smtp server with encrypted secrets it never returns', async () => {
    const { status, body } = await t.api('POST', '/api/sending-servers', smtp);
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: 'Relay',
      driver: 'smtp',
      config: { host: 'smtp.example.com', port: 587, security: 'starttls' },
      secretsSet: ['pass', 'user'],
      secretsProblem: null,
      rate: null,
      domainRates: {},
      isDefault: true,
    });
    expect(JSON.stringify(body)).not.toContain('s3cret');
    expect(JSON.stringify((await t.api('GET', `/api/sending-servers/${body.id}`)).body)).not.toContain('s3cret');

    const sealed = await storedSecrets(body.id);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('s3cret');
    // What the sender plane will do with it.
    expect(await decryptSecrets(t.deps.keys.secrets, sealed!)).toEqual({ user: 'mailer', pass: 's3cret' });
  });

  it('refuses a bad driver config, naming each field', async () => {
    const { status, body } = await t.api('POST', '/api/sending-servers', {
      ...smtp,
      config: { host: 'smtp.example.com', port: 'five', security: 'ssl' },
      secrets: { user: 'mailer' },
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['config.port', 'config.security', 'secrets.pass']);
    expect(body.error.message).toContain('config.port');

    const unknown = await t.api('POST', '/api/sending-servers', { name: 'x', driver: 'pigeon' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('driver');
    expect((await t.api('POST', '/api/sending-servers', { ...smtp, rate: '0/s' })).status).toBe(400);
    expect((await t.api('GET', '/api/sending-servers')).body.data).toEqual([]);
  });

  it('keeps exactly one default', async () => {
    const first = (await t.api('POST', '/api/sending-servers', { name: 'Capture', driver: 'capture' })).body;
    const second = (await t.api('POST', '/api/sending-servers', smtp)).body;
    expect([first.isDefault, second.isDefault]).toEqual([true, false]);

    const third = (await t.api('POST', '/api/sending-servers', { ...smtp, name: 'Third', isDefault: true })).body;
    expect(await defaults()).toEqual([third.id]);

    expect((await t.api('PATCH', `/api/sending-servers/${second.id}`, { isDefault: true })).body.isDefault).toBe(true);
    expect(await defaults()).toEqual([second.id]);

    const unset = await t.api('PATCH', `/api/sending-servers/${second.id}`, { isDefault: false });
    expect(unset.status).toBe(400);
    expect(unset.body.error.details[0].message).toContain('set it on another server');

    // Deleting the default hands the role to the oldest remaining server.
    expect((await t.api('DELETE', `/api/sending-servers/${second.id}`)).status).toBe(204);
    expect(await defaults()).toEqual([first.id]);
    expect((await t.api('PATCH', '/api/sending-servers/999', { isDefault: true })).status).toBe(404);
    expect(await defaults()).toEqual([first.id]);
  });

  it('merges config and secrets on update, and replaces them when the driver changes', async () => {
    const { id } = (await t.api('POST', '/api/sending-servers', smtp)).body;
    const before = await storedSecrets(id);

    const renamed = await t.api('PATCH', `/api/sending-servers/${id}`, { name: 'Main relay', rate: '750/min' });
    expect(renamed.body).toMatchObject({ name: 'Main relay', rate: { count: 750, per: 'minute' }, secretsSet: ['pass', 'user'] });
    expect(await storedSecrets(id)).toBe(before);

    const moved = await t.api('PATCH', `/api/sending-servers/${id}`, { config: { port: 465, security: 'tls' }, secrets: { pass: 'new' } });
    expect(moved.status).toBe(200);
    expect(moved.body.config).toEqual({ host: 'smtp.example.com', port: 465, security: 'tls' });
    expect(await decryptSecrets(t.deps.keys.secrets, (await storedSecrets(id))!)).toEqual({ user: 'mailer', pass: 'new' });

    const half = await t.api('PATCH', `/api/sending-servers/${id}`, { secrets: { pass: null } });
    expect(half.status).toBe(400);
    expect(half.body.error.details).toEqual([{ path: 'secrets.pass', message: 'pass is required when user is set' }]);

    const cleared = await t.api('PATCH', `/api/sending-servers/${id}`, { secrets: null });
    expect(cleared.body.secretsSet).toEqual([]);
    expect(await storedSecrets(id)).toBeNull();

    const bad = await t.api('PATCH', `/api/sending-servers/${id}`, { config: { port: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('config.port');

    const capture = await t.api('PATCH', `/api/sending-servers/${id}`, { driver: 'capture' });
    expect(capture.body).toMatchObject({ driver: 'capture', config: {}, secretsSet: [] });
  });

  it('validates the saved settings, then asks a sender container for a live check', async () => {
    const { id } = (await t.api('POST', '/api/sending-servers', smtp)).body;
    expect((await t.api('GET', `/api/sending-servers/${id}`)).body.connectionCheck).toEqual({ status: 'never', checkedAt: null, problems: [] });
    // No sender answers within wait=0: the check stays pending.
    expect((await t.api('POST', `/api/sending-servers/${id}/validate?wait=0`)).body).toMatchObject({ ok: false, problems: [], connection: { status: 'pending' } });
    // A sender container takes the request and records what the relay said.
    const claimed = await claimServerCheck(t.database.db);
    expect(claimed?.id).toBe(id);
    expect(await claimServerCheck(t.database.db)).toBeNull();
    await recordServerCheck(t.database.db, id, [{ path: 'secrets', message: '535 5.7.8 Authentication credentials invalid' }]);
    expect((await t.api('GET', `/api/sending-servers/${id}`)).body.connectionCheck).toMatchObject({ status: 'failed', problems: [{ path: 'secrets' }] });
    expect((await t.api('POST', `/api/sending-servers/${id}/validate?wait=30`)).status).toBe(400);

    // Settings saved by an older version, or secrets sealed under another SECRET_KEY.
    const otherKeys = await deriveKeys('a-different-secret-key-0123456789');
    await t.database.client.execute({
      sql: `update sending_servers set config = '{"host":"smtp.example.com","port":99999}', secrets = ? where id = ?`,
      args: [await encryptSecrets(otherKeys.secrets, { user: 'u', pass: 'p' }), id],
    });
    const { body } = await t.api('POST', `/api/sending-servers/${id}/validate`);
    expect(body.ok).toBe(false);
    expect(body.problems.map((p: { path: string }) => p.path)).toEqual(['secrets', 'config.port']);
    expect(body.problems[0].message).toContain('SECRET_KEY');
    expect((await t.api('GET', `/api/sending-servers/${id}`)).body).toMatchObject({ secretsSet: [], secretsProblem: expect.stringContaining('PATCH') });
    expect((await t.api('POST', '/api/sending-servers/999/validate')).status).toBe(404);
  });

  it('keeps a server a campaign names, and the last server while campaigns under way need it', async () => {
    const a = (await t.api('POST', '/api/sending-servers', { name: 'A', driver: 'capture' })).body;
    const b = (await t.api('POST', '/api/sending-servers', { name: 'B', driver: 'capture' })).body;
    await t.database.client.execute(`insert into campaigns (id, name, subject, from_address, format, body) values (5, 'c', 's', 'a@example.com', 'text', 'hi')`);
    await t.database.client.execute({ sql: 'insert into campaign_sending_servers (campaign_id, sending_server_id, weight, position) values (5, ?, 1, 0)', args: [b.id] });
    const named = await t.api('DELETE', `/api/sending-servers/${b.id}`);
    expect(named.status).toBe(409);
    expect(named.body.error.message).toContain('campaign(s) 5');

    await t.database.client.execute(`insert into campaigns (id, name, subject, from_address, format, body, status) values (6, 'c', 's', 'a@example.com', 'text', 'hi', 'queued')`);
    await t.database.client.execute('delete from campaigns where id = 5');
    expect((await t.api('DELETE', `/api/sending-servers/${b.id}`)).status).toBe(204);
    const last = await t.api('DELETE', `/api/sending-servers/${a.id}`);
    expect(last.status).toBe(409);
    expect(last.body.error.message).toContain('only sending server');
    expect((await t.api('DELETE', '/api/sending-servers/999')).status).toBe(404);
  });

  it('saves a rate and per-domain rates in either form and returns them structured', async () => {
    const created = await t.api('POST', '/api/sending-servers', {
      ...smtp,
      rate: '50/s',
      domainRates: { 'Gmail.com': '20/min', 'yahoo.com': { count: 100, per: 'hour' }, 'outlook.com': '10000/day' },
    });
    expect(created.status).toBe(201);
    expect(created.body.rate).toEqual({ count: 50, per: 'second' });
    expect(created.body.domainRates).toEqual({
      'gmail.com': { count: 20, per: 'minute' },
      'yahoo.com': { count: 100, per: 'hour' },
      'outlook.com': { count: 10000, per: 'day' },
    });
    const { id } = created.body;
    expect((await t.api('GET', `/api/sending-servers/${id}`)).body).toMatchObject({ rate: { count: 50, per: 'second' }, domainRates: created.body.domainRates });
    // Stored as JSON, the structured form only.
    const stored = (await t.database.client.execute({ sql: 'select rate, domain_rates from sending_servers where id = ?', args: [id] })).rows[0]!;
    expect(JSON.parse(stored.rate as string)).toEqual({ count: 50, per: 'second' });
    expect(JSON.parse(stored.domain_rates as string)['gmail.com']).toEqual({ count: 20, per: 'minute' });

    // A PATCH without the fields leaves them alone.
    expect((await t.api('PATCH', `/api/sending-servers/${id}`, { name: 'Renamed' })).body).toMatchObject({ rate: { count: 50, per: 'second' }, domainRates: created.body.domainRates });
    // domainRates replaces the whole map.
    const replaced = await t.api('PATCH', `/api/sending-servers/${id}`, { rate: { count: 5000, per: 'hour' }, domainRates: { 'gmail.com': '30/min' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ rate: { count: 5000, per: 'hour' }, domainRates: { 'gmail.com': { count: 30, per: 'minute' } } });
    expect(Object.keys(replaced.body.domainRates)).toEqual(['gmail.com']);
    // null: unthrottled; {}: no domain rates.
    const cleared = await t.api('PATCH', `/api/sending-servers/${id}`, { rate: null, domainRates: {} });
    expect(cleared.body).toMatchObject({ rate: null, domainRates: {} });
    const listed = (await t.api('GET', '/api/sending-servers')).body.data[0];
    expect(listed).toMatchObject({ rate: null, domainRates: {} });
  });

  it('refuses bad rates, naming the field and the domain', async () => {
    const paths = (body: { error: { details: { path: string }[] } }) => body.error.details.map((d) => d.path).sort();
    const bad = await t.api('POST', '/api/sending-servers', { ...smtp, rate: '50/ms', domainRates: { 'gmail.com': 'fast', 'not a domain': '5/s', 'yahoo.com': { count: 0, per: 'second' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    expect(paths(bad.body)).toEqual(['domainRates.gmail.com', 'domainRates.not a domain', 'domainRates.yahoo.com.count', 'rate.per']);
    expect(bad.body.error.message).toContain('domainRates.gmail.com: a rate must be a string or { count, per }');
    expect(bad.body.error.message).toContain('rate.per: per must be "second", "minute", "hour" or "day"');
    expect(bad.body.error.message).toContain('domainRates.yahoo.com.count: count must be at least 1');
    expect((await t.api('GET', '/api/sending-servers')).body.data).toEqual([]);

    const { id } = (await t.api('POST', '/api/sending-servers', { ...smtp, rate: '10/s' })).body;
    for (const [patch, path] of [
      [{ rate: 12.5 }, 'rate'],
      [{ rate: { count: 2.5, per: 'second' } }, 'rate.count'],
      [{ rate: { count: 5, per: 'second', burst: 10 } }, 'rate'],
      [{ domainRates: null }, 'domainRates'],
      [{ domainRates: { 'gmail.com': null } }, 'domainRates.gmail.com'],
      [{ domainRates: ['gmail.com'] }, 'domainRates'],
    ] as const) {
      const res = await t.api('PATCH', `/api/sending-servers/${id}`, patch);
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(paths(res.body), JSON.stringify(patch)).toEqual([path]);
    }
    expect((await t.api('GET', `/api/sending-servers/${id}`)).body.rate).toEqual({ count: 10, per: 'second' });
  });

  it('documents rate and domainRates in the API document', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      paths: Record<string, Record<string, { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } }>>;
    };
    expect(doc.components.schemas['Rate']!.properties).toMatchObject({ count: { type: 'integer' }, per: { enum: ['second', 'minute', 'hour', 'day'] } });
    expect(Object.keys(doc.components.schemas['SendingServer']!.properties)).toEqual(expect.arrayContaining(['rate', 'domainRates']));
    const create = doc.paths['/api/sending-servers']!.post!.requestBody.content['application/json'].schema.properties;
    // Requests may write a rate as a string or the object; a response always gives the object.
    expect(create['rate']).toMatchObject({ anyOf: [{ type: 'string', example: '50/s' }, { $ref: '#/components/schemas/Rate' }, { type: 'null' }] });
    expect(create['domainRates']).toMatchObject({ type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { $ref: '#/components/schemas/Rate' }] } });
    expect(doc.components.schemas['SendingServer']!.properties['rate']).toMatchObject({ anyOf: [{ $ref: '#/components/schemas/Rate' }, { type: 'null' }] });
    expect(doc.components.schemas['SendingServer']!.properties['domainRates']).toMatchObject({ additionalProperties: { $ref: '#/components/schemas/Rate' } });
  });
});
