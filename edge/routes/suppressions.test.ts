import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { loadMessagesToSend } from '../../shared/queries/messages';
import { createTestApp, type TestApp } from '../../test/helpers/app';
import { seedMessages } from '../../test/helpers/tracking-seed';
import { MAX_SUPPRESSIONS_PER_CALL } from './suppressions';

describe('suppressions API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const emails = async (query = '') => ((await t.api('GET', `/api/suppressions${query}`)).body.data as { email: string }[]).map((s) => s.email);

  it('suppresses one address by hand, lower-cased, and the sender then skips it', async () => {
    const seed = await seedMessages(t.database.db, 2);
    const added = await t.api('POST', '/api/suppressions', { email: '  Reader1@Example.COM ', detail: 'asked by phone' });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ added: 1, alreadySuppressed: 0 });
    const { body } = await t.api('GET', '/api/suppressions');
    expect(body).toEqual({
      data: [{ email: 'reader1@example.com', reason: 'manual', detail: 'asked by phone', eventKey: null, createdAt: expect.any(String) }],
      nextCursor: null,
    });
    // The sender's own check before each send sees the same row.
    const [first, second] = await loadMessagesToSend(t.database.db, seed.messageIds);
    expect(first!.excludedBecause).toBe('address is on the suppression list');
    expect(second!.excludedBecause).toBeNull();
  });

  it(`takes up to ${MAX_SUPPRESSIONS_PER_CALL} addresses in one call, keeping the reason of those already suppressed`, async () => {
    await recordDeliveryEvents(t.database.db, [{ source: 'postmark', key: 'postmark:bounce:1', type: 'bounce', bounceClass: 'hard', recipient: 'bounced@example.com', occurredAt: Date.now() }]);
    const many = Array.from({ length: MAX_SUPPRESSIONS_PER_CALL - 1 }, (_, i) => `person${i}@example.org`);
    const res = await t.api('POST', '/api/suppressions', { emails: [...many, 'BOUNCED@example.com'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ added: MAX_SUPPRESSIONS_PER_CALL - 1, alreadySuppressed: 1 });
    expect((await t.api('GET', '/api/suppressions?search=bounced')).body.data).toEqual([expect.objectContaining({ email: 'bounced@example.com', reason: 'hard_bounce', eventKey: 'postmark:bounce:1' })]);
    // Repeats within a call count once.
    expect((await t.api('POST', '/api/suppressions', { emails: ['x@example.com', 'X@example.com'] })).body).toEqual({ added: 1, alreadySuppressed: 0 });

    const tooMany = await t.api('POST', '/api/suppressions', { emails: [...many, 'a@example.com', 'b@example.com'] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0]).toMatchObject({ path: 'emails', message: expect.stringContaining(`${MAX_SUPPRESSIONS_PER_CALL}`) });
  });

  it('refuses invalid addresses, naming each, and writes none of the call', async () => {
    const res = await t.api('POST', '/api/suppressions', { emails: ['ok@example.com', 'not an address', 'also@bad'] });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['emails.1', 'emails.2']);
    expect((await t.api('POST', '/api/suppressions', {})).status).toBe(400);
    expect((await t.api('POST', '/api/suppressions', { email: 'a@example.com', emails: ['b@example.com'] })).status).toBe(400);
    expect((await t.api('POST', '/api/suppressions', { emails: [] })).status).toBe(400);
    expect(await emails()).toEqual([]);
  });

  it('pages in address order, filters by reason and searches by address prefix', async () => {
    await t.api('POST', '/api/suppressions', { emails: ['carl@example.com', 'ann@example.com', 'anna@example.net', 'bob@example.com'] });
    await recordDeliveryEvents(t.database.db, [{ source: 'mailgun', key: 'mailgun:c1', type: 'complaint', recipient: 'anne@example.com', occurredAt: Date.now() }]);

    const first = (await t.api('GET', '/api/suppressions?limit=2')).body;
    expect(first.data.map((s: { email: string }) => s.email)).toEqual(['ann@example.com', 'anna@example.net']);
    const second = (await t.api('GET', `/api/suppressions?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).body;
    expect(second.data.map((s: { email: string }) => s.email)).toEqual(['anne@example.com', 'bob@example.com']);
    const last = (await t.api('GET', `/api/suppressions?limit=2&cursor=${encodeURIComponent(second.nextCursor)}`)).body;
    expect(last).toMatchObject({ data: [{ email: 'carl@example.com' }], nextCursor: null });

    expect(await emails('?search=ANN')).toEqual(['ann@example.com', 'anna@example.net', 'anne@example.com']);
    expect(await emails('?search=ann@')).toEqual(['ann@example.com']);
    expect(await emails('?reason=complaint')).toEqual(['anne@example.com']);
    expect(await emails('?reason=manual&search=an')).toEqual(['ann@example.com', 'anna@example.net']);
    expect((await t.api('GET', '/api/suppressions?reason=lost')).status).toBe(400);
  });

  it('lifts a suppression, and a new hard bounce suppresses the address again', async () => {
    await t.api('POST', '/api/suppressions', { email: 'ann@example.com' });
    expect((await t.api('DELETE', '/api/suppressions/Ann@Example.com')).status).toBe(204);
    expect(await emails()).toEqual([]);
    const again = await t.api('DELETE', '/api/suppressions/ann%40example.com');
    expect(again.status).toBe(404);
    expect(again.body.error.message).toContain('ann@example.com');
    expect((await t.api('DELETE', '/api/suppressions/nobody')).status).toBe(400);

    await recordDeliveryEvents(t.database.db, [{ source: 'ses', key: 'ses:b2', type: 'bounce', bounceClass: 'hard', recipient: 'ann@example.com', occurredAt: Date.now() }]);
    expect(await emails()).toEqual(['ann@example.com']);
  });
});
