import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { events } from '../../shared/db/schema';
import { deriveKeys } from '../../shared/keys';
import { encodeBase64Url } from '../../shared/base64url';
import { signToken, verifyToken } from '../../shared/tokens';
import { createApp } from '../app';
import { BackgroundTasks } from '../background';
import { createTrackingTestApp, type TrackingTestApp } from '../../test/helpers/tracking-app';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { PIXEL_GIF, redirectTarget } from './tracking';

const DESTINATION = 'https://shop.example.com/spring?utm_source=mail&id=7';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Every way a genuine token can be spoiled: each character changed, each truncation, parts swapped. */
function mutations(token: string, other: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < token.length; i++) {
    const ch = token[i]!;
    const replacement = ALPHABET[(ALPHABET.indexOf(ch) + 1) % ALPHABET.length] ?? 'A';
    out.add(token.slice(0, i) + replacement + token.slice(i + 1));
  }
  for (let n = 0; n < token.length; n++) out.add(token.slice(0, n));
  const [k, p, m] = token.split('.') as [string, string, string];
  const [ok, op, om] = other.split('.') as [string, string, string];
  out.add(`${k}.${op}.${m}`);
  out.add(`${k}.${p}.${om}`);
  out.add(`${ok}.${p}.${m}`);
  out.add(`${p}.${k}.${m}`);
  out.add(`${token}.${m}`);
  out.add(`${token}A`);
  out.add(`${k}.${p}.${m}AA`);
  out.add(`${k}.${p}=.${m}`);
  out.delete(token);
  return [...out].filter((t) => t.length > 0);
}

describe('tracking routes', () => {
  let t: TrackingTestApp;
  let seed: SeededMessages;
  let messageId: number;
  beforeEach(async () => {
    t = await createTrackingTestApp({ retiredSecrets: ['retired-secret-0123456789-0123456789-x'] });
    seed = await seedMessages(t.database.db, 2);
    messageId = seed.messageIds[0]!;
  });
  afterEach(() => t.close());

  const recorded = async () => {
    await t.background.drain();
    return t.database.db.select().from(events).orderBy(events.id);
  };

  describe('open pixel', () => {
    it('answers a 43-byte transparent GIF that no cache keeps, and records the open after the response', async () => {
      const token = signToken(t.keys, { kind: 'open', messageId });
      const res = await t.request(`/t/o/${token}`, { headers: { 'user-agent': 'Thunderbird/128' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(res.headers.get('cache-control')).toBe('no-store, private');
      const body = new Uint8Array(await res.arrayBuffer());
      expect(body).toHaveLength(43);
      expect(body).toEqual(PIXEL_GIF);
      // GIF89a, 1×1, graphic control extension with the transparency flag on colour index 0.
      expect(new TextDecoder().decode(body.subarray(0, 6))).toBe('GIF89a');
      expect([body[6], body[8], body[10]! & 0x80]).toEqual([1, 1, 0x80]);
      expect([body[19], body[20], body[22]! & 1, body[25]]).toEqual([0x21, 0xf9, 1, 0]);

      expect(await recorded()).toMatchObject([
        { type: 'open', messageId, campaignId: seed.campaignId, subscriberId: seed.subscriberIds[0], data: { userAgent: 'Thunderbird/128', method: 'GET' } },
      ]);
    });

    it('records a HEAD probe with its method', async () => {
      const token = signToken(t.keys, { kind: 'open', messageId });
      const res = await t.request(`/t/o/${token}`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(await res.arrayBuffer()).toHaveProperty('byteLength', 0);
      expect(await recorded()).toMatchObject([{ type: 'open', data: { method: 'HEAD' } }]);
    });

    it('answers the GIF for any token at all, and records only genuine open tokens', async () => {
      const open = signToken(t.keys, { kind: 'open', messageId });
      const click = signToken(t.keys, { kind: 'click', messageId, url: DESTINATION });
      const stranger = signToken(await deriveKeys('another-secret-0123456789-0123456789'), { kind: 'open', messageId });
      const bad = [...mutations(open, click), click, stranger, 'x', '...', '%00', 'a'.repeat(4000)];
      for (const token of bad) {
        const res = await t.request(`/t/o/${encodeURIComponent(token)}`);
        expect(res.status, token).toBe(200);
        expect(new Uint8Array(await res.arrayBuffer()), token).toEqual(PIXEL_GIF);
      }
      for (const path of ['/t/o/', '/t/o/a/b/c', `/t/o/${open}/extra`]) {
        const res = await t.request(path);
        expect(res.headers.get('content-type'), path).toBe('image/gif');
      }
      expect(await recorded()).toEqual([]);
    });

    it('still records on a host that passes no ExecutionContext', async () => {
      const token = signToken(t.keys, { kind: 'open', messageId });
      expect((await t.app.request(`/t/o/${token}`)).status).toBe(200);
      await t.recorder.flush();
      expect(await recorded()).toHaveLength(1);
    });

    it('accepts a token signed with a retired key', async () => {
      const token = signToken(t.deps.keyring[1]!, { kind: 'open', messageId });
      await t.request(`/t/o/${token}`);
      expect(await recorded()).toHaveLength(1);
    });

    it('answers without waiting on the recorder or the database, and whatever they do', async () => {
      const hanging = createApp({ ...t.deps, recorder: { record: () => new Promise<void>(() => {}) } });
      const token = signToken(t.keys, { kind: 'open', messageId });
      const res = await Promise.race([
        hanging.request(`/t/o/${token}`, {}, {}, new BackgroundTasks()),
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000)),
      ]);
      expect(res).not.toBe('timeout');
      expect((res as Response).status).toBe(200);

      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const throwing = createApp({ ...t.deps, recorder: { record: () => { throw new Error('recorder exploded'); } } });
      const res2 = await throwing.request(`/t/o/${token}`, {}, {}, new BackgroundTasks());
      expect(new Uint8Array(await res2.arrayBuffer())).toEqual(PIXEL_GIF);
      expect(errors).toHaveBeenCalledWith('tracking: a hit could not be recorded', expect.any(Error));
      const click = signToken(t.keys, { kind: 'click', messageId, url: DESTINATION });
      expect((await throwing.request(`/t/c/${click}`, {}, {}, new BackgroundTasks())).status).toBe(302);
      errors.mockRestore();

      t.database.client.close();
      const res3 = await t.request(`/t/o/${token}`);
      expect(new Uint8Array(await res3.arrayBuffer())).toEqual(PIXEL_GIF);
      await t.background.drain();
      expect(t.logs).toEqual([expect.stringMatching(/lost 1 tracking hit\(s\) after 2 attempt\(s\)/)]);
    });
  });

  describe('click redirect', () => {
    it('redirects a genuine token with 302 and records the click after the response', async () => {
      const token = signToken(t.keys, { kind: 'click', messageId, url: DESTINATION });
      const res = await t.request(`/t/c/${token}`, { headers: { 'user-agent': 'Mozilla/5.0' } });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(DESTINATION);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await recorded()).toMatchObject([
        { type: 'click', messageId, campaignId: seed.campaignId, url: DESTINATION, data: { userAgent: 'Mozilla/5.0', method: 'GET' } },
      ]);
    });

    it('redirects a HEAD probe too, recorded as HEAD', async () => {
      const token = signToken(t.keys, { kind: 'click', messageId, url: DESTINATION });
      const res = await t.request(`/t/c/${token}`, { method: 'HEAD' });
      expect([res.status, res.headers.get('location')]).toEqual([302, DESTINATION]);
      expect(await recorded()).toMatchObject([{ type: 'click', data: { method: 'HEAD' } }]);
    });

    it('refuses every tampered, truncated, swapped, wrong-kind or unknown-key token alike: 404, no Location, nothing recorded', async () => {
      const click = signToken(t.keys, { kind: 'click', messageId, url: DESTINATION });
      const other = signToken(t.keys, { kind: 'click', messageId: seed.messageIds[1]!, url: 'https://evil.example/' });
      const stranger = signToken(await deriveKeys('another-secret-0123456789-0123456789'), { kind: 'click', messageId, url: 'https://evil.example/' });
      const wrongKind = [signToken(t.keys, { kind: 'open', messageId }), signToken(t.keys, { kind: 'unsubscribe', messageId })];
      const bad = [...mutations(click, other), ...wrongKind, stranger];
      expect(bad.length).toBeGreaterThan(2 * click.length);
      for (const token of bad) {
        const res = await t.request(`/t/c/${encodeURIComponent(token)}`);
        expect(res.status, token).toBe(404);
        expect(res.headers.get('location'), token).toBeNull();
        expect(res.headers.get('content-type'), token).toBe('text/plain; charset=utf-8');
        expect(await res.text(), token).toBe('Not found: this link is not valid.');
      }
      for (const path of ['/t/c/', '/t/c/a/b']) {
        const res = await t.request(path);
        expect([res.status, res.headers.get('location'), await res.text()], path).toEqual([404, null, 'Not found: this link is not valid.']);
      }
      expect(await recorded()).toEqual([]);
    });

    it('refuses tampered anonymous tokens the same way, and never takes an anonymous open for a click or an unsubscribe', async () => {
      const campaignId = seed.campaignId;
      const click = signToken(t.keys, { kind: 'anonymous-click', campaignId, url: DESTINATION });
      const other = signToken(t.keys, { kind: 'anonymous-click', campaignId, url: 'https://evil.example/' });
      const open = signToken(t.keys, { kind: 'anonymous-open', campaignId });
      const bad = [...mutations(click, other), open];
      for (const token of bad) {
        const res = await t.request(`/t/c/${encodeURIComponent(token)}`);
        expect([res.status, res.headers.get('location')], token).toEqual([404, null]);
      }
      for (const token of [...mutations(open, click), click]) await t.request(`/t/o/${encodeURIComponent(token)}`);
      expect(verifyToken(t.deps.keyring, open, 'unsubscribe')).toBeNull();
      expect(verifyToken(t.deps.keyring, click, ['click', 'unsubscribe'])).toBeNull();
      expect(await recorded()).toEqual([]);
      // The genuine ones are still good after all that.
      expect((await t.request(`/t/c/${click}`)).headers.get('location')).toBe(DESTINATION);
      await t.request(`/t/o/${open}`);
      expect(await recorded()).toMatchObject([
        { type: 'click', campaignId, messageId: null, subscriberId: null },
        { type: 'open', campaignId, messageId: null, subscriberId: null },
      ]);
    });

    it('redirects without a database read: an unknown message still redirects, and its hit is dropped', async () => {
      const token = signToken(t.keys, { kind: 'click', messageId: 987_654, url: DESTINATION });
      const res = await t.request(`/t/c/${token}`);
      expect(res.status).toBe(302);
      expect(await recorded()).toEqual([]);
    });

    it('never redirects a signed URL that is not http(s), and never lets one inject a header', async () => {
      // signToken refuses such a URL, so forge the token by hand with the real key.
      const payload = encodeBase64Url(new TextEncoder().encode(`c:${messageId}:javascript:alert(1)`));
      const signed = `${t.keys.trackingKeyId}.${payload}`;
      const js = `${signed}.${encodeBase64Url(t.keys.signTracking(signed).subarray(0, 16))}`;
      expect((await t.request(`/t/c/${js}`)).status).toBe(404);

      const crlf = signToken(t.keys, { kind: 'click', messageId, url: 'https://shop.example.com/a\r\nSet-Cookie: x=1' });
      const res = await t.request(`/t/c/${crlf}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.get('location')).toBe('https://shop.example.com/aSet-Cookie:%20x=1');

      const unicode = signToken(t.keys, { kind: 'click', messageId, url: 'https://shop.example.com/café?q=a b' });
      expect((await t.request(`/t/c/${unicode}`)).headers.get('location')).toBe('https://shop.example.com/caf%C3%A9?q=a%20b');
    });
  });

  it('keeps the marketer\'s spelling of a URL that is a valid header value', () => {
    expect(redirectTarget('https://Shop.example.com?a=1')).toBe('https://Shop.example.com?a=1');
    expect(redirectTarget('HTTPS://shop.example.com/ü')).toBe('https://shop.example.com/%C3%BC');
    expect(redirectTarget('ftp://shop.example.com/')).toBeNull();
    expect(redirectTarget('not a url')).toBeNull();
  });

  it('publishes the tracking and unsubscribe routes in the OpenAPI document, without auth', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(doc.paths['/t/o/{token}']?.get?.security).toEqual([]);
    expect(doc.paths['/t/c/{token}']?.get?.security).toEqual([]);
    expect(Object.keys(doc.paths['/u/{token}'] ?? {}).sort()).toEqual(['get', 'post']);
  });
});
