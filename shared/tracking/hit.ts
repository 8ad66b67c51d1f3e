// A tracking hit as the edge records it: what the request path and the queue carry, with no
// database code, so the tracking Worker's bundle holds none.

/** One open or click, as the edge saw it. */
export interface Hit {
  kind: 'open' | 'click';
  /** The message whose token was hit; absent for anonymous tracking, whose tokens name only the campaign. */
  messageId?: number;
  /** Anonymous tracking: the campaign, instead of the message (and so no subscriber). */
  campaignId?: number;
  /** The destination, for clicks. */
  url?: string;
  /** Epoch ms when the hit arrived. */
  at: number;
  userAgent?: string;
  /** HEAD or GET: scanners often probe links with HEAD. */
  method: string;
  /** The request-time verdict (classifyHit); absent on hits queued before it existed, which are classified on write. */
  machine?: boolean;
  /** Its reason code (`human`, `apple-mpp`, `scanner:mimecast`, …). */
  reason?: string;
}

/** A hit ready to store. `key` is chosen once per hit, so a retried write records it once. */
export type HitRow = Hit & { key: string };

/** User agents are free text from the wire: keep enough to classify, not a whole payload. */
export const MAX_USER_AGENT = 512;
