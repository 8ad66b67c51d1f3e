// The contract every relay's webhook module (`shared/webhooks/<provider>-webhook.ts`)
// implements, and the route `POST /hooks/:provider` (edge/routes/relay-hooks.ts) uses:
// authenticate the raw request against the marketer's saved webhook sources, then parse the
// body into normalised delivery events. Pure and Web-standard: no database, no Node.
import type { z } from 'zod';
import type { DeliveryEvent, WebhookProvider } from '../feedback/delivery-event';

/** The request exactly as it arrived: signatures are over the raw bytes, so nothing is re-serialised. */
export interface WebhookRequest {
  method: string;
  /** The full URL the relay called, query included (Elastic Email passes its token there). */
  url: string;
  headers: Headers;
  body: Uint8Array;
}

/** One saved webhook source (a row of `relay_webhooks`), its settings parsed by the module's schemas. */
export interface WebhookSource<Config = Record<string, unknown>, Secrets = Record<string, unknown>> {
  id: number;
  config: Config;
  secrets: Secrets;
}

/**
 * Remembers single-use values (Mailgun's tokens) until they expire, each with the body it came
 * with. Used by the route, not by modules.
 */
export interface ReplayGuard {
  /**
   * True the first time `key` is claimed before `expiresAt` (epoch ms), and again for the same
   * body (`bodySha256`): the relay's retry, whether its first request failed or only its
   * answer was lost, which the idempotent write records once. False for a replay with another
   * body: a signature that covers only the token must not carry other events. A claim is never
   * given back, not even by a failed request: a replay of the genuine body that failed must
   * not free the token for another body.
   */
  claim(key: string, expiresAt: number, bodySha256: string): Promise<boolean>;
}

/** A single-use value of an authenticated request, for the route to claim before it stores anything. */
export interface ReplayKey {
  key: string;
  /** Epoch ms after which the value can no longer be replayed (its signature's time window has passed). */
  expiresAt: number;
}

/** What a module may use besides the request: all injected, so tests control time and network. */
export interface WebhookContext {
  /** Epoch milliseconds now. */
  now(): number;
  /** Outbound HTTP, for SNS signing certificates and subscription confirmation only. */
  fetch: typeof fetch;
  /** Per-isolate cache of parsed signing keys by URL (SNS certificates); a module may keep what it likes here. */
  keyCache: Map<string, Promise<CryptoKey>>;
}

export type AuthResult =
  /** `replayKey`: the request's single-use value (Mailgun's token), which the route claims before storing. */
  | { ok: true; source: WebhookSource<any, any>; replayKey?: ReplayKey }
  /** `reason` is logged, never sent back: a prober learns only 401. */
  | { ok: false; reason: string };

export interface ParsedWebhook {
  events: DeliveryEvent[];
  /** SNS SubscriptionConfirmation: the SubscribeURL to GET, already checked to be an SNS host. */
  confirmSubscriptionUrl?: string;
}

/** Thrown by `parse` for a body the module cannot read: the route answers 400 with the message. */
export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError';
}

export interface RelayWebhook<Config extends Record<string, unknown> = any, Secrets extends Record<string, unknown> = any> {
  provider: WebhookProvider;
  /** The settings a marketer saves for this relay's webhooks (signing key, allowed topics, basic-auth pair...). */
  settings: {
    /** One line for the API docs and the dashboard: what to paste from the relay's console. */
    description: string;
    config: z.ZodType<Config>;
    secrets: z.ZodType<Secrets>;
  };
  /**
   * Decides whether the request comes from the relay, trying each saved source of this
   * provider (usually one). Must not throw on hostile input and must compare secrets in
   * constant time.
   */
  authenticate(request: WebhookRequest, sources: readonly WebhookSource<Config, Secrets>[], context: WebhookContext): Promise<AuthResult>;
  /** Turns an authenticated body into events; throws WebhookPayloadError when it cannot. */
  parse(request: WebhookRequest, source: WebhookSource<Config, Secrets>): ParsedWebhook;
}
