// What the edge app needs from its host. Each entry file (Node, Worker) builds these once
// and passes them to createApp; no module-level singletons.
import type { Database } from '../shared/db/database';
import type { Keys } from '../shared/keys';
import type { Mjml2Html } from '../shared/render/mjml';
import type { ReplayGuard, WebhookContext } from '../shared/webhooks/relay-webhook';
import type { FeedbackRecorder } from './feedback-recorder';
import type { HitRecorder } from './hit-recorder';

export interface AppDeps {
  db: Database;
  /** Base of tracking and unsubscribe links, without a trailing slash. */
  publicUrl: string;
  keys: Keys;
  /** Keys that still verify tokens: the current one first, then retired ones. */
  keyring: Keys[];
  /** MJML compiler: `mjml` on Node, `mjml-browser` in the Worker. */
  mjml2html: Mjml2Html;
  /** Writes tracking hits after the response has gone (batched on Node). */
  recorder: HitRecorder;
  /** Stores delivery events from relay webhooks (queued on Workers, group-committed on Node). */
  feedback: FeedbackRecorder;
  /** What relay webhooks need: outbound fetch and a key cache (SNS certificates), and a guard against replayed single-use tokens. */
  webhooks: Pick<WebhookContext, 'fetch' | 'keyCache'> & { replay: ReplayGuard };
}
