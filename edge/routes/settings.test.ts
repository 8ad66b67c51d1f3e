import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { createTestApp, type TestApp } from '../../test/helpers/app';

describe('settings API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('answers every setting with its default on a fresh install', async () => {
    expect(await t.api('GET', '/api/settings')).toMatchObject({ status: 200, body: { softBounceLimit: 3, softBounceDays: 30 } });
  });

  it('changes only the settings sent, and the soft-bounce rule follows at once', async () => {
    const res = await t.api('PATCH', '/api/settings', { softBounceLimit: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ softBounceLimit: 1, softBounceDays: 30 });
    expect((await t.api('PATCH', '/api/settings', { softBounceDays: 7 })).body).toEqual({ softBounceLimit: 1, softBounceDays: 7 });
    expect((await t.api('GET', '/api/settings')).body).toEqual({ softBounceLimit: 1, softBounceDays: 7 });
    // Only the keys sent are stored: the others keep following the defaults.
    const stored = await t.database.client.execute('select key from settings order by key');
    expect(stored.rows.map((r) => r.key)).toEqual(['softBounceDays', 'softBounceLimit']);

    // With a limit of 1, one soft bounce now suppresses the address.
    await recordDeliveryEvents(t.database.db, [{ source: 'ses', key: 'ses:s1', type: 'bounce', bounceClass: 'soft', recipient: 'soft@example.com', occurredAt: Date.now() }]);
    expect((await t.api('GET', '/api/suppressions')).body.data).toEqual([expect.objectContaining({ email: 'soft@example.com', reason: 'soft_bounce' })]);
  });

  it('refuses bad values and unknown keys, naming each field, and changes nothing', async () => {
    const res = await t.api('PATCH', '/api/settings', { softBounceLimit: 0, softBounceDays: 1.5, retries: 2 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['(body)', 'softBounceDays', 'softBounceLimit']);
    expect(res.body.error.message).toContain('softBounceLimit must be at least 1');
    expect(res.body.error.message).toContain('retries');
    expect((await t.api('PATCH', '/api/settings', {})).status).toBe(400);
    expect((await t.api('PATCH', '/api/settings', { softBounceDays: 366 })).body.error.details[0]).toEqual({ path: 'softBounceDays', message: 'softBounceDays must be at most 365 days' });
    expect((await t.api('GET', '/api/settings')).body).toEqual({ softBounceLimit: 3, softBounceDays: 30 });
  });
});
