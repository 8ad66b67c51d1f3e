import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newHitKey } from '../hit-key';
import { recordHits } from '../../shared/queries/hits';
import { createMessages, markMessagesSent } from '../../shared/queries/messages';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const mjml = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ subscriber.name | default: "friend" }}</mj-text>
        <mj-button href="https://shop.example/sale">Shop</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

describe('campaigns API', () => {
  let t: TestApp;
  let list: number;
  beforeEach(async () => {
    t = await createTestApp();
    list = (await t.api('POST', '/api/lists', { name: 'News' })).body.id;
  });
  afterEach(() => t.close());

  const draft = (extra: Record<string, unknown> = {}) => ({
    name: 'Spring sale',
    subject: 'Hi {{ subscriber.name }}',
    from: 'Shop News <news@shop.example>',
    lists: [list],
    format: 'mjml',
    body: mjml,
    ...extra,
  });
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await t.api('POST', '/api/campaigns', draft(extra));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const addServer = async () => (await t.api('POST', '/api/sending-servers', { name: 'Inbox', driver: 'capture' })).body.id as number;
  const count = async (table: string) => Number((await t.database.client.execute(`select count(*) as n from ${table}`)).rows[0]!.n);
  const sql = (text: string, args: (string | number | null)[] = []) => t.database.client.execute({ sql: text, args });

  it('creates a draft and reads it back', async () => {
    const campaign = await create({ sendAt: '2030-01-01T10:00:00+02:00' });
    expect(campaign).toMatchObject({
      name: 'Spring sale',
      subject: 'Hi {{ subscriber.name }}',
      from: 'Shop News <news@shop.example>',
      format: 'mjml',
      body: mjml,
      lists: [list],
      sendingServerId: null,
      sendAt: '2030-01-01T08:00:00.000Z',
      status: 'draft',
      statusReason: null,
      startedAt: null,
      finishedAt: null,
    });
    expect(campaign).not.toHaveProperty('claimedBy');
    expect((await t.api('GET', `/api/campaigns/${campaign.id}`)).body).toEqual(campaign);
    expect((await t.api('GET', '/api/campaigns/999')).status).toBe(404);
  });

  it('refuses malformed MJML with the line of the problem, and writes nothing', async () => {
    const body = mjml.replace('<mj-button', '<mj-bogus>x</mj-bogus>\n        <mj-button');
    const { status, body: res } = await t.api('POST', '/api/campaigns', draft({ body }));
    expect(status).toBe(400);
    expect(res.error.code).toBe('INVALID_TEMPLATE');
    expect(res.error.details).toContainEqual(expect.objectContaining({ path: 'body', line: 6, message: expect.stringContaining('mj-bogus') }));
    expect(res.error.message).toContain('line 6');
    expect(await count('campaigns')).toBe(0);
    expect(await count('campaign_lists')).toBe(0);
  });

  it('refuses a broken Liquid subject or body with the field and line', async () => {
    const subject = await t.api('POST', '/api/campaigns', draft({ subject: 'Hi {{ subscriber.name ' }));
    expect(subject.status).toBe(400);
    expect(subject.body.error.details[0]).toMatchObject({ path: 'subject' });

    const body = await t.api('POST', '/api/campaigns', draft({ format: 'text', body: 'Hello\n\n{% if subscriber.name %}\nno end' }));
    expect(body.status).toBe(400);
    expect(body.body.error.details).toContainEqual(expect.objectContaining({ path: 'body', line: 3 }));
  });

  it('validates from, lists, server, schedule and subject, naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ from: 'Shop News news@shop' }, 'from'],
      [{ from: 'Shop <news@shop.example' }, 'from'],
      [{ lists: [list, 404] }, 'lists.1'],
      [{ sendingServerId: 77 }, 'sendingServerId'],
      [{ sendAt: 'next tuesday' }, 'sendAt'],
      [{ sendAt: '2030-01-01T10:00:00' }, 'sendAt'],
      [{ subject: 'two\nlines' }, 'subject'],
      [{ format: 'pdf' }, 'format'],
      [{ body: '' }, 'body'],
    ];
    for (const [extra, path] of cases) {
      const { status, body } = await t.api('POST', '/api/campaigns', draft(extra));
      expect(status, path).toBe(400);
      expect(body.error.details.map((d: { path: string }) => d.path), path).toContain(path);
    }
    expect(await count('campaigns')).toBe(0);
  });

  it('takes several sending servers in failover order with weights, and returns them', async () => {
    const [a, b] = [await addServer(), await addServer()];
    const campaign = await create({ sendingServers: [{ id: b, weight: 3 }, { id: a }] });
    expect(campaign).toMatchObject({ sendingServers: [{ id: b, weight: 3 }, { id: a, weight: 1 }], sendingServerId: b });
    expect((await t.api('GET', `/api/campaigns/${campaign.id}`)).body.sendingServers).toEqual([{ id: b, weight: 3 }, { id: a, weight: 1 }]);
    expect((await t.api('GET', '/api/campaigns')).body.data[0].sendingServers).toEqual([{ id: b, weight: 3 }, { id: a, weight: 1 }]);

    const reordered = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { sendingServers: [{ id: a, weight: 2 }, { id: b }] });
    expect(reordered.body.sendingServers).toEqual([{ id: a, weight: 2 }, { id: b, weight: 1 }]);
    // The one-server shorthand still works, and null goes back to the default server.
    expect((await t.api('PATCH', `/api/campaigns/${campaign.id}`, { sendingServerId: b })).body.sendingServers).toEqual([{ id: b, weight: 1 }]);
    const toDefault = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { sendingServerId: null });
    expect(toDefault.body).toMatchObject({ sendingServers: [], sendingServerId: null });
    expect(await count('campaign_sending_servers')).toBe(0);

    await t.api('PATCH', `/api/campaigns/${campaign.id}`, { sendingServers: [{ id: a }, { id: b }] });
    expect((await t.api('POST', `/api/campaigns/${campaign.id}/send`)).status).toBe(200);
  });

  it('refuses unknown, repeated or badly weighted sending servers, naming each', async () => {
    const a = await addServer();
    const unknown = await t.api('POST', '/api/campaigns', draft({ sendingServers: [{ id: a }, { id: 404 }, { id: 405 }] }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('404, 405');
    expect(unknown.body.error.details.map((d: { path: string }) => d.path)).toEqual(['sendingServers.1.id', 'sendingServers.2.id']);
    const cases: [Record<string, unknown>, string][] = [
      [{ sendingServers: [{ id: a }, { id: a, weight: 2 }] }, 'sendingServers'],
      [{ sendingServers: [{ id: a, weight: 0 }] }, 'sendingServers.0.weight'],
      [{ sendingServers: [{ id: a, weight: 1.5 }] }, 'sendingServers.0.weight'],
      [{ sendingServers: [{ id: a }], sendingServerId: a }, 'sendingServers'],
    ];
    for (const [extra, path] of cases) {
      const { status, body } = await t.api('POST', '/api/campaigns', draft(extra));
      expect(status, path).toBe(400);
      expect(body.error.details.map((d: { path: string }) => d.path), path).toContain(path);
    }
    expect(await count('campaigns')).toBe(0);
  });

  it('edits drafts (replacing lists) and refuses bad edits without changing anything', async () => {
    const campaign = await create();
    const other = (await t.api('POST', '/api/lists', { name: 'Other' })).body.id;
    const edited = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { subject: 'New subject', lists: [other, list] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ subject: 'New subject', lists: [list, other].sort((a, b) => a - b) });

    const broken = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { body: '<mjml><mj-body><mj-nope/></mj-body></mjml>', lists: [list] });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('INVALID_TEMPLATE');
    expect((await t.api('GET', `/api/campaigns/${campaign.id}`)).body).toMatchObject({ body: mjml, lists: [list, other].sort((a, b) => a - b) });

    expect((await t.api('PATCH', `/api/campaigns/${campaign.id}`, {})).status).toBe(400);
    expect((await t.api('PATCH', '/api/campaigns/999', { name: 'x' })).status).toBe(404);
  });

  it('needs a list and a sending server to send, and says how to add a server', async () => {
    const noLists = await create({ lists: [] });
    const res = await t.api('POST', `/api/campaigns/${noLists.id}/send`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('no lists');

    const campaign = await create();
    const noServer = await t.api('POST', `/api/campaigns/${campaign.id}/send`);
    expect(noServer.status).toBe(409);
    expect(noServer.body.error).toMatchObject({ code: 'NO_SENDING_SERVER', message: expect.stringContaining('POST /api/sending-servers') });
    expect((await t.api('GET', `/api/campaigns/${campaign.id}`)).body.status).toBe('draft');
  });

  it('refuses to send through a server whose saved settings are broken', async () => {
    const server = (await t.api('POST', '/api/sending-servers', { name: 'Relay', driver: 'smtp', config: { host: 'smtp.example.com', port: 25 } })).body.id;
    await sql(`update sending_servers set config = '{"host":"smtp.example.com"}' where id = ?`, [server]);
    const campaign = await create({ sendingServerId: server });
    const res = await t.api('POST', `/api/campaigns/${campaign.id}/send`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'ECONFIG', details: [expect.objectContaining({ path: 'config.port' })] });
  });

  it('sends a draft once: queued now, a second send is a 409, and edits are then refused', async () => {
    await addServer();
    const campaign = await create();
    const [a, b] = await Promise.all([
      t.api('POST', `/api/campaigns/${campaign.id}/send`),
      t.api('POST', `/api/campaigns/${campaign.id}/send`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 200 ? a : b).body.status).toBe('queued');
    expect((a.status === 409 ? a : b).body.error.message).toContain('it is queued');

    const edit = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { name: 'late' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.message).toContain('edit is allowed only when it is draft, scheduled');
  });

  it('schedules a campaign whose send time is ahead, and lets it be edited while scheduled', async () => {
    await addServer();
    const campaign = await create({ sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await t.api('POST', `/api/campaigns/${campaign.id}/send`)).body.status).toBe('scheduled');
    expect((await t.api('PATCH', `/api/campaigns/${campaign.id}`, { subject: 'Updated' })).body).toMatchObject({ status: 'scheduled', subject: 'Updated' });
    const unscheduled = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { sendAt: null });
    expect(unscheduled.status).toBe(400);
    expect(unscheduled.body.error.details[0].path).toBe('sendAt');
    const listless = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { lists: [] });
    expect(listless.status).toBe(400);
    expect(listless.body.error.details[0].path).toBe('lists');
    expect((await t.api('GET', `/api/campaigns/${campaign.id}`)).body).toMatchObject({ lists: [list], sendAt: expect.any(String) });

    const past = await create({ sendAt: '2020-01-01T00:00:00Z' });
    expect((await t.api('POST', `/api/campaigns/${past.id}/send`)).body.status).toBe('queued');
  });

  it('pauses, resumes and cancels, releasing the claim but keeping the checkpoint', async () => {
    await addServer();
    const campaign = await create();
    await t.api('POST', `/api/campaigns/${campaign.id}/send`);
    // The dispatcher claimed it and fanned out part of it.
    await sql(`update campaigns set status = 'sending', claimed_by = 'sender-1', lease_until = 9999999999999, cursor = 42 where id = ?`, [campaign.id]);

    const paused = await t.api('POST', `/api/campaigns/${campaign.id}/pause`);
    expect(paused.body.status).toBe('paused');
    const row = (await sql('select claimed_by, lease_until, cursor from campaigns where id = ?', [campaign.id])).rows[0]!;
    expect([row.claimed_by, row.lease_until, row.cursor]).toEqual([null, null, 42]);

    expect((await t.api('POST', `/api/campaigns/${campaign.id}/pause`)).status).toBe(409);
    expect((await t.api('POST', `/api/campaigns/${campaign.id}/resume`)).body.status).toBe('queued');
    expect((await t.api('POST', `/api/campaigns/${campaign.id}/resume`)).status).toBe(409);

    const cancelled = await t.api('POST', `/api/campaigns/${campaign.id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', finishedAt: expect.any(String) });
    const again = await t.api('POST', `/api/campaigns/${campaign.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('it is cancelled');
    expect((await t.api('POST', '/api/campaigns/999/pause')).status).toBe(404);
  });

  it('resumes a campaign paused before its send time back to scheduled', async () => {
    await addServer();
    const campaign = await create({ sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    await t.api('POST', `/api/campaigns/${campaign.id}/send`);
    expect((await t.api('POST', `/api/campaigns/${campaign.id}/pause`)).body.status).toBe('paused');
    expect((await t.api('POST', `/api/campaigns/${campaign.id}/resume`)).body.status).toBe('scheduled');
  });

  it('lists campaigns newest first, by status, with a cursor', async () => {
    await addServer();
    const a = await create({ name: 'a' });
    const b = await create({ name: 'b' });
    const c = await create({ name: 'c' });
    await t.api('POST', `/api/campaigns/${b.id}/send`);
    const first = (await t.api('GET', '/api/campaigns?limit=2')).body;
    expect(first.data.map((x: { id: number }) => x.id)).toEqual([c.id, b.id]);
    expect(first.data[0]).not.toHaveProperty('body');
    expect(first.data[0]).toMatchObject({ name: 'c', from: 'Shop News <news@shop.example>', lists: [list] });
    expect((await t.api('GET', `/api/campaigns?limit=2&cursor=${first.nextCursor}`)).body).toMatchObject({ data: [{ id: a.id }], nextCursor: null });
    expect((await t.api('GET', '/api/campaigns?status=queued')).body.data.map((x: { id: number }) => x.id)).toEqual([b.id]);
    expect((await t.api('GET', '/api/campaigns?status=lost')).status).toBe(400);
  });

  it('lists each campaign with its headline numbers, the same as its stats', async () => {
    const subscribers: number[] = [];
    for (let i = 0; i < 5; i++) subscribers.push((await t.api('POST', '/api/subscribers', { email: `r${i}@example.com`, lists: [list] })).body.id as number);
    const [sent, alsoSent, draftOnly] = [await create({ name: 'one' }), await create({ name: 'two' }), await create({ name: 'draft' })];
    const { db } = t.database;
    const send = async (campaignId: number, count: number) => {
      const messages = await createMessages(db, campaignId, subscribers);
      await markMessagesSent(db, messages.slice(0, count).map((m) => ({ messageId: m.id, attempts: 1, providerMessageId: null, serverId: 1 })));
      return messages.map((m) => m.id);
    };
    const one = await send(sent.id, 4);
    const two = await send(alsoSent.id, 2);
    const at = Date.now() + 3_600_000;
    const hit = (kind: 'open' | 'click', messageId: number, machine = false) => ({
      kind, key: newHitKey(), messageId, at, method: 'GET', machine, reason: machine ? 'apple-mpp' : 'human',
      ...(kind === 'click' ? { url: 'https://shop.example/sale' } : {}),
    });
    await recordHits(db, [hit('open', one[0]!), hit('open', one[0]!), hit('open', one[1]!, true), hit('open', one[2]!), hit('click', one[2]!), hit('open', two[0]!, true)]);

    const listed = (await t.api('GET', '/api/campaigns')).body.data as { id: number; numbers: unknown }[];
    const numbersOf = (id: number) => listed.find((c) => c.id === id)!.numbers;
    expect(numbersOf(sent.id)).toEqual({ sent: 4, opened: { unique: 3, humanUnique: 2 }, clicked: { unique: 1, humanUnique: 1 } });
    expect(numbersOf(alsoSent.id)).toEqual({ sent: 2, opened: { unique: 1, humanUnique: 0 }, clicked: { unique: 0, humanUnique: 0 } });
    expect(numbersOf(draftOnly.id)).toEqual({ sent: 0, opened: { unique: 0, humanUnique: 0 }, clicked: { unique: 0, humanUnique: 0 } });
    for (const campaign of [sent, alsoSent]) {
      const stats = (await t.api('GET', `/api/campaigns/${campaign.id}/stats`)).body;
      expect(numbersOf(campaign.id)).toEqual({
        sent: stats.sent,
        opened: { unique: stats.opened.unique, humanUnique: stats.opened.human.unique },
        clicked: { unique: stats.clicked.unique, humanUnique: stats.clicked.human.unique },
      });
    }
  });

  it('returns stats, or 404 for an unknown campaign', async () => {
    const campaign = await create();
    const { status, body } = await t.api('GET', `/api/campaigns/${campaign.id}/stats`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      campaignId: campaign.id,
      status: 'draft',
      recipients: 0,
      bounced: { hard: 0, soft: 0 },
      deferred: 0,
      dropped: 0,
      opened: { total: 0, unique: 0 },
    });
    expect((await t.api('GET', '/api/campaigns/999/stats')).status).toBe(404);
  });

  it('keeps a preheader, a tracking mode and a tracking domain, null meaning the install\'s setting', async () => {
    const plain = await create();
    expect(plain).toMatchObject({ preheader: '', tracking: null, trackingDomain: null });
    const campaign = await create({ preheader: 'Sale ends {{ campaign.name }}', tracking: 'anonymous', trackingDomain: 'Click.Shop.Example' });
    expect(campaign).toMatchObject({ preheader: 'Sale ends {{ campaign.name }}', tracking: 'anonymous', trackingDomain: 'click.shop.example' });
    expect((await t.api('GET', `/api/campaigns/${campaign.id}`)).body).toEqual(campaign);

    const patched = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { tracking: 'off', trackingDomain: null });
    expect(patched.body).toMatchObject({ preheader: 'Sale ends {{ campaign.name }}', tracking: 'off', trackingDomain: null });
    expect((await t.api('PATCH', `/api/campaigns/${campaign.id}`, { tracking: null, preheader: '' })).body).toMatchObject({ preheader: '', tracking: null });
  });

  it('refuses a bad tracking mode, a tracking domain that is not a host name, and a preheader that does not compile', async () => {
    const refused = async (extra: Record<string, unknown>) => {
      const { status, body } = await t.api('POST', '/api/campaigns', draft(extra));
      expect(status, JSON.stringify(extra)).toBe(400);
      return body.error.details[0] as { path: string; message: string };
    };
    expect(await refused({ tracking: 'sometimes' })).toMatchObject({ path: 'tracking', message: expect.stringContaining('one of on, anonymous, off') });
    expect(await refused({ trackingDomain: 'https://click.shop.example' })).toMatchObject({ path: 'trackingDomain', message: expect.stringContaining('without the scheme') });
    expect(await refused({ trackingDomain: 'click.shop.example:8080' })).toMatchObject({ path: 'trackingDomain', message: expect.stringContaining('without a port') });
    expect(await refused({ trackingDomain: '10.0.0.1' })).toMatchObject({ path: 'trackingDomain', message: expect.stringContaining('not an IP address') });
    expect(await refused({ preheader: 'Hi {{ subscriber.name ' })).toMatchObject({ path: 'preheader' });
    expect(await refused({ preheader: 'x'.repeat(501) })).toMatchObject({ path: 'preheader', message: 'preheader must be at most 500 characters' });
    expect(await count('campaigns')).toBe(0);
    const campaign = await create();
    const patch = await t.api('PATCH', `/api/campaigns/${campaign.id}`, { preheader: '{% if x %}open' });
    expect(patch.body.error).toMatchObject({ code: 'INVALID_TEMPLATE', details: [expect.objectContaining({ path: 'preheader' })] });
  });
});
