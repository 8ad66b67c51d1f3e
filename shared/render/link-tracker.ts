// Click tracking for one render. Signing is async (crypto.subtle), so a tracked link is
// written as a reference first and signed once the whole message is rendered, all links in
// parallel. Where the campaign's plan writes the link (render-plan.ts), the reference stays
// out of the text, as the index of a slot: nothing to search for, nothing subscriber data
// could imitate. A link that a Liquid tag writes ({% if %}, {% for %}) becomes a marker,
// swapped afterwards; its prefix is drawn at random on first use, after the subscriber's
// data was written, so no data can hold a marker.
import { signToken, type TrackingKeys } from '../tokens';

export interface LinkTracker {
  /** The index of `url` among this render's tracked URLs, or the text to write when it is not tracked. */
  track(url: string): number | string;
  /** What a Liquid tag writes for `url`: a marker when it is tracked, else what `track` says. */
  mark(url: string): string;
  /** Signs every tracked URL; the function it returns swaps markers in a rendered part. */
  sign(keys: TrackingKeys, messageId: number): Promise<SwapMarkers>;
}

export interface SwapMarkers {
  (rendered: string): string;
  /** The signed click URL of each tracked URL, by index. */
  readonly clickUrls: readonly string[];
}

const SAFE_SCHEMES = /^(mailto|tel|sms):/i;

/**
 * Tracks http(s) links, except links to our own unsubscribe and preferences page
 * (`${publicUrl}/u/…`): the recipient must reach it even if tracking is blocked. A link
 * built by Liquid comes here whatever it holds, and a merge field could hold any URL:
 * schemes other than http(s), mailto, tel and sms (`javascript:`, `data:`) become `#`.
 */
export function createLinkTracker(publicUrl: string, markerPrefix?: string): LinkTracker {
  const urls: string[] = [];
  const indexByUrl = new Map<string, number>();
  const decided = new Map<string, number | string>();
  const ownPages = `${publicUrl}/u/`.toLowerCase();
  let prefix = markerPrefix;

  function trackLink(url: string): number | string {
    // The same link is usually in both parts: decide once.
    const known = decided.get(url);
    if (known !== undefined) return known;
    const tracked = decide(url);
    decided.set(url, tracked);
    return tracked;
  }

  function decide(url: string): number | string {
    const target = url.trim();
    if (!/^https?:\/\/\S/i.test(target)) return /^[a-z][a-z0-9+.-]*:/i.test(target) && !SAFE_SCHEMES.test(target) ? '#' : url;
    if (target.slice(0, ownPages.length).toLowerCase() === ownPages) return url;
    let index = indexByUrl.get(target);
    if (index === undefined) {
      index = urls.push(target) - 1;
      indexByUrl.set(target, index);
    }
    return index;
  }

  return {
    track: trackLink,
    mark: function markLink(url) {
      const tracked = trackLink(url);
      if (typeof tracked === 'string') return tracked;
      prefix ??= randomPrefix();
      return `${prefix}${tracked}z`;
    },
    sign: async function signLinks(keys, messageId) {
      const tokens = await Promise.all(urls.map((url) => signToken(keys, { kind: 'click', messageId, url })));
      const clickUrls = tokens.map((token) => `${publicUrl}/t/c/${token}`);
      const markers = prefix;
      const swap = (rendered: string) => (markers === undefined ? rendered : swapMarkers(rendered, markers, clickUrls));
      return Object.assign(swap, { clickUrls });
    },
  };
}

/**
 * `rendered` with each `<prefix><index>z` swapped for the index's URL; markers of no URL stay.
 * A scan, not a RegExp: a fresh prefix per render would compile a fresh RegExp per render.
 */
function swapMarkers(rendered: string, prefix: string, urls: readonly string[]): string {
  let swapped = '';
  let done = 0;
  for (let at = rendered.indexOf(prefix); at !== -1; at = rendered.indexOf(prefix, at + 1)) {
    const digits = at + prefix.length;
    let end = digits;
    while (end < rendered.length && rendered.charCodeAt(end) >= 48 && rendered.charCodeAt(end) <= 57) end++;
    const url = end > digits && rendered[end] === 'z' ? urls[Number(rendered.slice(digits, end))] : undefined;
    if (url === undefined) continue;
    swapped += rendered.slice(done, at) + url;
    done = end + 1;
  }
  return done === 0 ? rendered : swapped + rendered.slice(done);
}

function randomPrefix(): string {
  // 48 random bits (a UUID's first twelve hex digits); randomUUID draws from a pool, ten times faster than getRandomValues.
  const uuid = crypto.randomUUID();
  return `ep${uuid.slice(0, 8)}${uuid.slice(9, 13)}m`;
}
