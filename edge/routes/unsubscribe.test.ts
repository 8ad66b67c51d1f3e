import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { events, listMembers } from '../../shared/db/schema';
import { deriveKeys } from '../../shared/keys';
import { signToken } from '../../shared/tokens';
import { createTrackingTestApp, type TrackingTestApp } from '../../test/helpers/tracking-app';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';

const ONE_CLICK = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' };

describe('unsubscribe routes', () => {
  let t: TrackingTestApp;
  let seed: SeededMessages;
  let token: string;
  beforeEach(async () => {
    t = await createTrackingTestApp();
    seed = await seedMessages(t.database.db, 2);
    token = signToken(t.keys, { kind: 'unsubscribe', messageId: seed.messageIds[0]! });
  });
  afterEach(() => t.close());

  const membership = async (subscriberId = seed.subscriberIds[0]!) =>
    Object.fromEntries(
      (await t.database.db.select().from(listMembers).where(eq(listMembers.subscriberId, subscriberId))).map((m) => [m.listId, m.status]),
    );
  const unsubscribes = () => t.database.db.select().from(events).where(eq(events.type, 'unsubscribe'));
  const allSubscribed = () => ({ [seed.listIds[0]]: 'subscribed', [seed.listIds[1]]: 'subscribed', [seed.otherListId]: 'subscribed' });

  it('GET shows a small self-contained confirmation page and changes nothing', async () => {
    const res = await t.request(`/u/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<form method="post">\s*<button type="submit"[^>]*>Unsubscribe<\/button>/);
    expect(html).not.toMatch(/\b(src|href|action)=|https?:|@import|url\(/);
    expect(html.length).toBeLessThan(2000);
    await t.background.drain();
    expect(await membership()).toEqual(allSubscribed());
    expect(await unsubscribes()).toEqual([]);
  });

  it('POST with the RFC 8058 one-click body unsubscribes before answering 200, and repeats are harmless', async () => {
    const res = await t.request(`/u/${token}`, { ...ONE_CLICK, headers: { ...ONE_CLICK.headers, 'user-agent': 'GoogleOneClick/1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('You are unsubscribed');
    // No drain here: the write must already be done when the answer says so.
    expect(await membership()).toEqual({ [seed.listIds[0]]: 'unsubscribed', [seed.listIds[1]]: 'unsubscribed', [seed.otherListId]: 'subscribed' });
    expect(await membership(seed.subscriberIds[1])).toEqual(allSubscribed());

    const again = await t.request(`/u/${token}`, ONE_CLICK);
    expect(again.status).toBe(200);
    const rows = await unsubscribes();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key: `unsubscribe:${seed.messageIds[0]}`,
      campaignId: seed.campaignId,
      subscriberId: seed.subscriberIds[0],
      data: { source: 'one-click', userAgent: 'GoogleOneClick/1', method: 'POST' },
    });
  });

  it('POST from the confirmation form, or one-click as multipart, unsubscribes too', async () => {
    const form = await t.request(`/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' });
    expect(form.status).toBe(200);
    expect(await unsubscribes()).toMatchObject([{ data: { source: 'form' } }]);

    const second = signToken(t.keys, { kind: 'unsubscribe', messageId: seed.messageIds[1]! });
    const body = new FormData();
    body.set('List-Unsubscribe', 'One-Click');
    expect((await t.request(`/u/${second}`, { method: 'POST', body })).status).toBe(200);
    expect((await membership(seed.subscriberIds[1]))[seed.listIds[0]]).toBe('unsubscribed');
    expect((await unsubscribes()).map((e) => (e.data as { source: string }).source)).toEqual(['form', 'one-click']);
  });

  it('refuses bad tokens with 404 on GET and POST, changing nothing', async () => {
    const stranger = signToken(await deriveKeys('another-secret-0123456789-0123456789'), { kind: 'unsubscribe', messageId: seed.messageIds[0]! });
    const wrongKind = signToken(t.keys, { kind: 'open', messageId: seed.messageIds[0]! });
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    for (const bad of [stranger, wrongKind, flipped, token.slice(0, -1), 'nonsense']) {
      const get = await t.request(`/u/${bad}`);
      expect(get.status, bad).toBe(404);
      expect(await get.text(), bad).toContain('not valid');
      expect((await t.request(`/u/${bad}`, ONE_CLICK)).status, bad).toBe(404);
    }
    expect(await membership()).toEqual(allSubscribed());
    expect(await unsubscribes()).toEqual([]);
  });

  it('says so honestly when the message no longer exists', async () => {
    const gone = signToken(t.keys, { kind: 'unsubscribe', messageId: 987_654 });
    const res = await t.request(`/u/${gone}`, ONE_CLICK);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('no longer have the message');
  });

  it('answers 503 with a retry page, not a success, when the database fails', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    t.database.client.close();
    const res = await t.request(`/u/${token}`, ONE_CLICK);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await res.text()).toContain('nothing was changed');
    expect(errors).toHaveBeenCalledWith('unsubscribe: could not be written', expect.any(String));
    errors.mockRestore();
  });

  it('refuses an oversized body with 413', async () => {
    const res = await t.request(`/u/${token}`, { ...ONE_CLICK, body: `List-Unsubscribe=One-Click&pad=${'x'.repeat(20_000)}` });
    expect(res.status).toBe(413);
    expect(await unsubscribes()).toEqual([]);
  });
});
