// Click tracking for one render. Signing is async (crypto.subtle), so a tracked link is
// written as a reference first and signed once the whole message is rendered, all links in
// parallel. Where the campaign's plan writes the link (render-plan.ts), the reference stays
// out of the text, as the index of a slot: nothing to search for, nothing subscriber data
// could imitate. A link that a Liquid tag writes ({% if %}, {% for %}) becomes a marker,
// swapped afterwards; its prefix is drawn at random on first use, after the subscriber's
// data was written, so no data can hold a marker.
import { signTokens, type TrackingKeys } from '../tokens';

/** Whom a click token names: the message, or (anonymous tracking) only the campaign. */
export type TrackedBy = { messageId: number } | { campaignId: number };

export interface LinkTrackerOptions {
  /** Origin of the click URLs, e.g. `https://click.acme.example`; default: `publicUrl`. */
  trackingUrl?: string;
  /** False when tracking is off: every link stays as written. Default true. */
  track?: boolean;
  /**
   * Track only links whose URL is fixed in the template, the same for every reader
   * (anonymous tracking): a URL built by Liquid may carry who reads it. Default false.
   */
  fixedOnly?: boolean;
  /** The markers' prefix; default: drawn at random on first use. */
  markerPrefix?: string;
}

export interface LinkTracker {
  /**
   * The index of `url` among this render's tracked URLs, or the text to write when it is not
   * tracked. `fixed`: the URL is written in the template as is, no Liquid in it (default false).
   */
  track(url: string, fixed?: boolean): number | string;
  /** What a Liquid tag writes for `url`: a marker when it is tracked, else what `track` says. */
  mark(url: string, fixed?: boolean): string;
  /** Signs every tracked URL; the function it returns swaps markers in a rendered part. */
  sign(keys: TrackingKeys, by: TrackedBy): SwapMarkers;
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
 * schemes other than http(s), mailto, tel and sms (`javascript:`, `data:`) become `#`,
 * whether tracking is on or off. With `fixedOnly` (anonymous tracking), such a link is
 * written as rendered, untracked: only links fixed in the template are.
 */
export function createLinkTracker(publicUrl: string, options: LinkTrackerOptions = {}): LinkTracker {
  const { trackingUrl = publicUrl, track = true, fixedOnly = false } = options;
  const urls: string[] = [];
  const indexByUrl = new Map<string, number>();
  const decided = new Map<string, number | string>();
  const ownPages = `${publicUrl}/u/`.toLowerCase();
  let prefix = options.markerPrefix;

  function trackLink(url: string, fixed = false): number | string {
    // `?e={{ subscriber.email }}` would give each reader a token of their own, naming them.
    if (fixedOnly && !fixed) return asWritten(url);
    // The same link is usually in both parts: decide once.
    const known = decided.get(url);
    if (known !== undefined) return known;
    const tracked = decide(url);
    decided.set(url, tracked);
    return tracked;
  }

  function decide(url: string): number | string {
    const target = url.trim();
    if (!track || !/^https?:\/\/\S/i.test(target) || target.slice(0, ownPages.length).toLowerCase() === ownPages) return asWritten(url);
    let index = indexByUrl.get(target);
    if (index === undefined) {
      index = urls.push(target) - 1;
      indexByUrl.set(target, index);
    }
    return index;
  }

  return {
    track: trackLink,
    mark: function markLink(url, fixed) {
      const tracked = trackLink(url, fixed);
      if (typeof tracked === 'string') return tracked;
      prefix ??= randomPrefix();
      return `${prefix}${tracked}z`;
    },
    sign: function signLinks(keys, by) {
      const claims = (url: string) => ('campaignId' in by ? { kind: 'anonymous-click' as const, campaignId: by.campaignId, url } : { kind: 'click' as const, messageId: by.messageId, url });
      const tokens = signTokens(keys, urls.map(claims));
      const clickUrls = tokens.map((token) => `${trackingUrl}/t/c/${token}`);
      const markers = prefix;
      const swap = (rendered: string) => (markers === undefined ? rendered : swapMarkers(rendered, markers, clickUrls));
      return Object.assign(swap, { clickUrls });
    },
  };
}

/** An untracked link as it is written: the URL itself, or `#` for a scheme that could run code or carry a page. */
function asWritten(url: string): string {
  const target = url.trim();
  if (/^https?:\/\/\S/i.test(target) || SAFE_SCHEMES.test(target)) return url;
  return /^[a-z][a-z0-9+.-]*:/i.test(target) ? '#' : url;
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
