// Tracking hits are answered first and recorded after (inside waitUntil). The recorder
// behind this contract batches them: in-process on Node, a Queue on Workers.
export interface Hit {
  kind: 'open' | 'click';
  messageId: number;
  /** The destination, for clicks. */
  url?: string;
  /** Epoch ms when the hit arrived. */
  at: number;
  userAgent?: string;
  /** HEAD or GET: scanners often probe links with HEAD. */
  method: string;
}

export interface HitRecorder {
  /** Resolves once the hit is durably written (or handed to something that will write it). */
  record(hit: Hit): Promise<void>;
}
