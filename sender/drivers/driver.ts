// The one contract every sending driver implements, one driver per file (nodemailer's
// transport model). The worker knows nothing about any relay beyond this.
import type { RenderedMessage } from '../../shared/render/render-message';

/** A rendered message and the id of its `messages` row. */
export interface OutgoingMessage extends RenderedMessage {
  messageId: number;
}

export interface SendResult {
  /** The relay's id for the message (SMTP: the queue id in the 250 reply, when given). */
  providerMessageId: string | null;
  /** The relay's answer, for the message's record. */
  response: string;
}

export interface DriverCapabilities {
  /** `raw`: the driver sends MIME we build (and can DKIM-sign); `structured`: the relay builds it. */
  input: 'raw' | 'structured';
  /** Messages per request the relay accepts. */
  batchSize: number;
  /** The relay reports deliveries itself (webhooks), beyond accepting the message. */
  tracksDelivery: boolean;
  /** The relay signs DKIM itself. */
  signsDkim: boolean;
  /** `getDeliveryStatus` can ask the relay about one message. */
  deliveryStatus: boolean;
}

export interface ConfigProblem {
  /** The setting at fault, e.g. `config.host` or `secrets.pass`. */
  path: string;
  message: string;
}

export type DeliveryStatus = 'accepted' | 'delivered' | 'deferred' | 'bounced' | 'unknown';

export interface Driver {
  readonly name: string;
  /** Opens connections (or checks the relay answers) before the first send. */
  connect(): Promise<void>;
  /** Sends one message; throws a SendError (sender/send-error.ts) when the relay refuses. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Asks the relay what became of a message; null when the driver cannot tell. */
  getDeliveryStatus(providerMessageId: string): Promise<DeliveryStatus | null>;
  getCapabilities(): DriverCapabilities;
  /** Checks settings and credentials without sending mail; empty when all is well. */
  validateConfig(): Promise<ConfigProblem[]>;
  close(): Promise<void>;
}
