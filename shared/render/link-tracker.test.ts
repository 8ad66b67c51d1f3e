import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys, type Keys } from '../keys';
import { verifyToken } from '../tokens';
import { createLinkTracker } from './link-tracker';

let keys: Keys;
beforeAll(async () => {
  keys = await deriveKeys('link-tracker-test-secret-0123456789abcdef');
});

describe('createLinkTracker', () => {
  it('marks http(s) links and swaps the markers for signed click URLs', async () => {
    const tracker = createLinkTracker('https://t.example', { markerPrefix: 'epabcm' });
    const a = tracker.mark(' https://shop.example/a?x=1 ');
    const b = tracker.mark('HTTP://shop.example/b');
    expect(tracker.mark('https://shop.example/a?x=1')).toBe(a); // one token per distinct URL
    expect([a, b]).toEqual(['epabcm0z', 'epabcm1z']);
    const swap = await tracker.sign(keys, { messageId: 42 });
    const out = swap(`<a href="${a}">A</a> ${b} ${a} epabcm9z`);
    const urls = [...out.matchAll(/https:\/\/t\.example\/t\/c\/([\w.-]+)/g)];
    expect(urls).toHaveLength(3);
    expect(verifyToken([keys], urls[0]![1]!, 'click')).toEqual({ kind: 'click', messageId: 42, url: 'https://shop.example/a?x=1' });
    expect(verifyToken([keys], urls[1]![1]!, 'click')).toEqual({ kind: 'click', messageId: 42, url: 'HTTP://shop.example/b' });
    expect(out).toContain('epabcm9z'); // not a marker of this render: left alone
  });

  it('leaves mailto:, tel:, anchors, relative links and our own unsubscribe page alone', async () => {
    const tracker = createLinkTracker('https://t.example', { markerPrefix: 'epabcm' });
    for (const url of ['mailto:a@b.example', 'tel:+331234', 'SMS:+331234', '#top', '/relative', 'https://t.example/u/TOKEN']) {
      expect(tracker.mark(url), url).toBe(url);
    }
    // A merge field holding a script or data URL links nowhere.
    expect(tracker.mark(' javascript:alert(1)')).toBe('#');
    expect(tracker.mark('data:text/html,<script>')).toBe('#');
    expect(tracker.mark('https://')).toBe('#');
    expect((await tracker.sign(keys, { messageId: 1 }))('unchanged')).toBe('unchanged');
  });

  it('draws a fresh random marker prefix for each render', () => {
    const markers = [createLinkTracker('https://t.example'), createLinkTracker('https://t.example')].map((t) => t.mark('https://a.example'));
    expect(markers[0]).toMatch(/^ep[0-9a-f]{12}m0z$/);
    expect(markers[1]).not.toBe(markers[0]);
  });
});
