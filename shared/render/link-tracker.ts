// Click tracking for one render. Liquid renders synchronously (fast), but signing is async
// (crypto.subtle), so a link is written as a marker during the render and all markers are
// swapped for signed URLs afterwards, signed in parallel. Each render draws a random marker
// prefix, after the subscriber's data was written, so no data can hold a marker.
import { signToken, type TrackingKeys } from '../tokens';

export interface LinkTracker {
  /** What to write for `url`: a marker when it is tracked, else the URL untouched. */
  mark(url: string): string;
  /** Signs every marked URL; the function it returns swaps markers in a rendered part. */
  sign(keys: TrackingKeys, messageId: number): Promise<(rendered: string) => string>;
}

const SAFE_SCHEMES = /^(mailto|tel|sms):/i;

/**
 * Tracks http(s) links, except links to our own unsubscribe and preferences page
 * (`${publicUrl}/u/…`): the recipient must reach it even if tracking is blocked. A link
 * built by Liquid comes here whatever it holds, and a merge field could hold any URL:
 * schemes other than http(s), mailto, tel and sms (`javascript:`, `data:`) become `#`.
 */
export function createLinkTracker(publicUrl: string, markerPrefix = randomPrefix()): LinkTracker {
  const urls: string[] = [];
  const indexByUrl = new Map<string, number>();
  const ownPages = `${publicUrl}/u/`.toLowerCase();

  return {
    mark: function markLink(url) {
      const target = url.trim();
      if (!/^https?:\/\/\S/i.test(target)) return /^[a-z][a-z0-9+.-]*:/i.test(target) && !SAFE_SCHEMES.test(target) ? '#' : url;
      if (target.toLowerCase().startsWith(ownPages)) return url;
      let index = indexByUrl.get(target);
      if (index === undefined) {
        index = urls.push(target) - 1;
        indexByUrl.set(target, index);
      }
      return `${markerPrefix}${index}z`;
    },
    sign: async function signLinks(keys, messageId) {
      if (urls.length === 0) return (rendered) => rendered;
      const tokens = await Promise.all(urls.map((url) => signToken(keys, { kind: 'click', messageId, url })));
      const pattern = new RegExp(`${markerPrefix}(\\d+)z`, 'g');
      return (rendered) => rendered.replace(pattern, (marker, index: string) => {
        const token = tokens[Number(index)];
        return token ? `${publicUrl}/t/c/${token}` : marker;
      });
    },
  };
}

function randomPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `ep${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}m`;
}
