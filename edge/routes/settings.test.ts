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
    expect(await t.api('GET', '/api/settings')).toMatchObject({ status: 200, body: { softBounceLimit: 3, softBounceDays: 30, tracking: 'on', trackingDomain: null } });
  });

  it('changes only the settings sent, and the soft-bounce rule follows at once', async () => {
    const res = await t.api('PATCH', '/api/settings', { softBounceLimit: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ softBounceLimit: 1, softBounceDays: 30 });
    expect((await t.api('PATCH', '/api/settings', { softBounceDays: 7 })).body).toMatchObject({ softBounceLimit: 1, softBounceDays: 7 });
    expect((await t.api('GET', '/api/settings')).body).toMatchObject({ softBounceLimit: 1, softBounceDays: 7 });
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
    expect((await t.api('GET', '/api/settings')).body).toMatchObject({ softBounceLimit: 3, softBounceDays: 30 });
  });

  it('stores the tracking mode and domain, the domain lower-cased, and clears the domain with null', async () => {
    const res = await t.api('PATCH', '/api/settings', { tracking: 'anonymous', trackingDomain: ' Click.Acme.Example ' });
    expect(res.body).toEqual({ softBounceLimit: 3, softBounceDays: 30, tracking: 'anonymous', trackingDomain: 'click.acme.example' });
    expect((await t.api('GET', '/api/settings')).body).toMatchObject({ tracking: 'anonymous', trackingDomain: 'click.acme.example' });
    expect((await t.api('PATCH', '/api/settings', { trackingDomain: null })).body).toMatchObject({ trackingDomain: null });
    expect((await t.api('GET', '/api/settings')).body).toMatchObject({ tracking: 'anonymous', trackingDomain: null });
  });

  it('refuses a tracking domain that is not a plain DNS host name, saying what to fix', async () => {
    const refused = async (trackingDomain: unknown) => {
      const res = await t.api('PATCH', '/api/settings', { trackingDomain });
      expect(res.status, JSON.stringify(trackingDomain)).toBe(400);
      return res.body.error.details[0].message as string;
    };
    expect(await refused('https://click.acme.example')).toContain('without the scheme');
    expect(await refused('click.acme.example/t')).toContain('without a path');
    expect(await refused('click.acme.example:8443')).toContain('without a port');
    expect(await refused('192.0.2.7')).toContain('not an IP address');
    expect(await refused('[2001:db8::1]')).toContain('not an IP address');
    expect(await refused('localhost')).toContain('with a dot');
    expect(await refused('-bad.acme.example')).toContain('DNS host name');
    expect(await refused('under_score.example')).toContain('DNS host name');
    expect((await t.api('PATCH', '/api/settings', { tracking: 'sometimes' })).body.error.message).toContain('tracking must be one of on, anonymous, off');
    expect((await t.api('GET', '/api/settings')).body).toMatchObject({ tracking: 'on', trackingDomain: null });
  });
});
