// Delivery events from relay webhooks are handed to a recorder and acknowledged once it
// resolves: on Workers it puts them on a Cloudflare Queue (durable before the 200), on Node
// it group-commits them with other requests' events (one write per batch). Either way the
// relay is never held on one database round trip per event, and never told 200 for an
// event that is not safe.
import type { DeliveryEvent } from '../shared/feedback/delivery-event';

export interface FeedbackRecorder {
  /** Resolves once the events are durably stored or queued; rejects if they are not (the relay then retries). */
  record(events: readonly DeliveryEvent[]): Promise<void>;
}
