// The test-send API on its own (no sender running): what it accepts, refuses and writes.
// Sending itself, end to end, is in sender/test-sends.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const mjml = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ subscriber.name | default: "friend" }}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

describe('campaign test sends API', () => {
  let t: TestApp;
  let campaign: number;
  beforeEach(async () => {
    t = await createTestApp();
    await t.api('POST', '/api/sending-servers', { name: 'Inbox', driver: 'capture', isDefault: true });
    const created = await t.api('POST', '/api/campaigns', { name: 'Spring', subject: 'Hi {{ subscriber.name }}', from: 'Shop <news@shop.example>', lists: [], format: 'mjml', body: mjml });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    campaign = created.body.id;
  });
  afterEach(() => t.close());

  const sql = (text: string, args: (string | number | null)[] = []) => t.database.client.execute({ sql: text, args });
  const count = async (table: string) => Number((await sql(`select count(*) as n from ${table}`)).rows[0]!.n);
  const test = (body: unknown, id = campaign, query = '') => t.api('POST', `/api/campaigns/${id}/test${query}`, body);

  it('answers 202 with the pending test send and where to poll it', async () => {
    const res = await test({ addresses: [' Me@Agency.example ', 'boss@agency.example'] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      campaignId: campaign,
      addresses: ['me@agency.example', 'boss@agency.example'],
      subscriberId: null,
      status: 'pending',
      results: null,
      requestedAt: expect.stringMatching(/Z$/),
      finishedAt: null,
    });
    expect(res.headers.get('location')).toBe(`/api/campaigns/${campaign}/tests/${res.body.id}`);
    expect((await t.api('GET', `/api/campaigns/${campaign}/tests/${res.body.id}`)).body).toEqual(res.body);
    // Nothing of a real send: no message rows, the campaign still a draft.
    expect(await count('messages')).toBe(0);
    expect((await t.api('GET', `/api/campaigns/${campaign}`)).body.status).toBe('draft');
  });

  it('waits up to ?wait= seconds, and still answers 202 when no sender finished it', async () => {
    const started = Date.now();
    const res = await test({ addresses: ['me@agency.example'] }, campaign, '?wait=0.4');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    const tooLong = await test({ addresses: ['me@agency.example'] }, campaign, '?wait=31');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toEqual([{ path: 'wait', message: 'wait must be 0-30 seconds' }]);
  });

  it('answers 200 with the results when the outcome comes within the wait', async () => {
    // Stands in for a sender container finishing the test while the request waits.
    const finishing = (async () => {
      for (let i = 0; i < 50 && (await count('test_sends')) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await sql(`update test_sends set status = 'sent', results = ?, finished_at = ?`, [JSON.stringify([{ address: 'me@agency.example', ok: true, detail: '250 OK' }]), Date.now()]);
    })();
    const res = await test({ addresses: ['me@agency.example'] }, campaign, '?wait=5');
    await finishing;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'sent', results: [{ address: 'me@agency.example', ok: true, detail: '250 OK' }], finishedAt: expect.any(String) });
  });

  it('takes a campaign in any state', async () => {
    await sql(`update campaigns set status = 'sent'`);
    expect((await test({ addresses: ['me@agency.example'] })).status).toBe(202);
  });

  it('refuses bad addresses, too many, repeats and an unknown subscriber, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ addresses: [] }, 'addresses'],
      [{ addresses: Array.from({ length: 11 }, (_, i) => `p${i}@agency.example`) }, 'addresses'],
      [{ addresses: ['me@agency.example', 'not an address'] }, 'addresses.1'],
      [{ addresses: ['me@agency.example', 'ME@agency.example'] }, 'addresses'],
      [{ addresses: ['me@agency.example'], subscriberId: 999 }, 'subscriberId'],
      [{ addresses: ['me@agency.example'], bcc: 'x@agency.example' }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await test(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      if (path) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await test({ addresses: ['me@agency.example'] }, 999)).status).toBe(404);
    expect((await t.api('GET', `/api/campaigns/${campaign}/tests/1`)).status).toBe(404);
    expect(await count('test_sends')).toBe(0);
  });

  it('shows a test send only under its own campaign', async () => {
    const other = (await t.api('POST', '/api/campaigns', { name: 'Other', subject: 'Hi', from: 'news@shop.example', lists: [], format: 'text', body: 'Hello' })).body.id;
    const id = (await test({ addresses: ['me@agency.example'] })).body.id;
    expect((await t.api('GET', `/api/campaigns/${other}/tests/${id}`)).status).toBe(404);
  });

  it('refuses a campaign that does not render with 422 and the MJML error, and writes nothing', async () => {
    // Saved campaigns compile; one written by an older version, or by hand, may not.
    await sql('update campaigns set body = ? where id = ?', [mjml.replace('<mj-text>', '<mj-bogus>x</mj-bogus>\n        <mj-text>'), campaign]);
    const res = await test({ addresses: ['me@agency.example'] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INVALID_TEMPLATE');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'body', line: 5, message: expect.stringContaining('mj-bogus') }));

    await sql('update campaigns set body = ?, subject = ? where id = ?', [mjml, 'Hi {{ subscriber.name ', campaign]);
    const liquid = await test({ addresses: ['me@agency.example'] });
    expect(liquid.status).toBe(422);
    expect(liquid.body.error.details[0]).toMatchObject({ path: 'subject' });
    expect(await count('test_sends')).toBe(0);
  });

  it('refuses with 409 when there is no server to send through', async () => {
    await sql('delete from sending_servers');
    const res = await test({ addresses: ['me@agency.example'] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NO_SENDING_SERVER');
  });

  it('allows 20 test sends per campaign per hour, then 429 with Retry-After', async () => {
    for (let i = 0; i < 20; i++) expect((await test({ addresses: ['me@agency.example'] })).status).toBe(202);
    const refused = await test({ addresses: ['me@agency.example'] });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/20 test sends in the last hour/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await count('test_sends')).toBe(20);

    // An hour after the oldest, one place frees up.
    await sql('update test_sends set requested_at = requested_at - 3600001 where id = (select min(id) from test_sends)');
    expect((await test({ addresses: ['me@agency.example'] })).status).toBe(202);
    expect((await test({ addresses: ['me@agency.example'] })).status).toBe(429);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.api('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/campaigns/{id}/test'].post.responses)).toEqual(['200', '202', '400', '404', '409', '422', '429']);
    expect(doc.paths['/api/campaigns/{id}/tests/{testId}'].get).toBeDefined();
  });
});
