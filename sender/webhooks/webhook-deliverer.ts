// Sends the outgoing webhooks that triggers queue in webhook_deliveries: claims due ones with
// a lease (so several sender containers never call one delivery at once), POSTs each signed
// the Standard Webhooks way, and records the attempt: delivered, retried later with backoff,
// or failed after the last attempt. Calls run side by side up to `concurrency`, and at most
// `perEndpoint` to one endpoint, so a slow endpoint holds its own slots, not everyone's.
import type { Database } from '../../shared/db/database';
import { openSealedSecrets, type SecretKeys } from '../../shared/keyring';
import { claimDueDeliveries, recordDeliveryAttempt, type ClaimedDelivery } from '../../shared/queries/webhook-deliveries';
import { parseSigningSecrets, secretsInUse, standardWebhookHeaders, type WebhookSigningSecrets } from '../../shared/webhooks/standard-webhook-signature';
import { createWorkLoop, type WorkLoop } from '../work-loop';
import { callEndpoint, type EndpointAnswer, type EndpointFetch } from './call-endpoint';
import { DEFAULT_RETRY_BASE_MS, retryDelayMs } from './retry-delay';

export interface WebhookDelivererOptions {
  db: Database;
  /** Opens the endpoints' sealed signing secrets: `keys.secrets`, or the keyring's secrets keys, current first. */
  secretsKeys: SecretKeys;
  /** Names this sender in claims. */
  senderId: string;
  /** How long an endpoint has to answer (WEBHOOK_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Attempts before a delivery fails (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** The wait after the first failure, doubled after each next one. Default 60 s. */
  retryBaseMs?: number;
  /** Calls in flight at once. Default 16. */
  concurrency?: number;
  /** Calls in flight to one endpoint. Default 4. */
  perEndpoint?: number;
  /** The pause when nothing is due. Default 500 ms. */
  idleMs?: number;
  /** The HTTP client; global fetch by default. */
  fetch?: EndpointFetch;
}

const USER_AGENT = 'Edgepost-Webhooks/1';
/** Opened secrets kept by their sealed text (a rotation changes the text); endpoints are few. */
const SECRET_CACHE_SIZE = 100;

export function createWebhookDeliverer(options: WebhookDelivererOptions): WorkLoop {
  const { db, senderId, timeoutMs, maxAttempts } = options;
  const concurrency = options.concurrency ?? 16;
  const perEndpoint = options.perEndpoint ?? 4;
  const fetchFn = options.fetch ?? fetch;
  // Past the lease another sender may call the endpoint again: make it outlast any attempt.
  const leaseMs = 2 * timeoutMs + 30_000;
  const inFlight = new Set<Promise<void>>();
  const perEndpointCount = new Map<number, number>();
  const secrets = new Map<string, WebhookSigningSecrets>();

  async function openSecrets(sealed: string): Promise<WebhookSigningSecrets> {
    let opened = secrets.get(sealed);
    if (!opened) {
      opened = parseSigningSecrets(await openSealedSecrets(options.secretsKeys, sealed));
      if (secrets.size >= SECRET_CACHE_SIZE) secrets.clear();
      secrets.set(sealed, opened);
    }
    return opened;
  }

  async function attempt(delivery: ClaimedDelivery, at: number): Promise<EndpointAnswer> {
    let signed;
    try {
      const signWith = secretsInUse(await openSecrets(delivery.secret), at);
      signed = await standardWebhookHeaders(signWith, `msg_${delivery.id}`, Math.floor(at / 1000), delivery.payload);
    } catch (err) {
      const error = `the endpoint's signing secret cannot be used (${(err as Error).message}); rotate it with POST /api/webhook-endpoints/${delivery.endpointId}/rotate-secret`;
      return { delivered: false, httpStatus: null, response: null, error, gone: false, retryAfterMs: null };
    }
    const headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...signed };
    return callEndpoint(fetchFn, { url: delivery.url, headers, body: delivery.payload }, timeoutMs);
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const at = Date.now();
    const answer = await attempt(delivery, at);
    const attempts = delivery.attempts + 1;
    const final = answer.delivered || answer.gone || attempts >= maxAttempts;
    const wait = Math.max(retryDelayMs(attempts, options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS), answer.retryAfterMs ?? 0);
    await recordDeliveryAttempt(db, {
      id: delivery.id,
      senderId,
      at,
      delivered: answer.delivered,
      httpStatus: answer.httpStatus,
      response: answer.response,
      error: answer.error,
      retryAt: final ? null : Date.now() + wait,
      disableEndpoint: answer.gone,
    });
  }

  function launch(delivery: ClaimedDelivery): void {
    const endpoint = delivery.endpointId;
    perEndpointCount.set(endpoint, (perEndpointCount.get(endpoint) ?? 0) + 1);
    const call: Promise<void> = deliver(delivery)
      // Unrecorded, the claim lapses and the delivery is sent again: at least once, never lost.
      .catch((err) => console.error(`webhook delivery ${delivery.id} not recorded:`, (err as Error).message))
      .finally(() => {
        inFlight.delete(call);
        const left = (perEndpointCount.get(endpoint) ?? 1) - 1;
        if (left > 0) perEndpointCount.set(endpoint, left);
        else perEndpointCount.delete(endpoint);
      });
    inFlight.add(call);
  }

  async function claimAndLaunch(): Promise<boolean> {
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    const claimed = await claimDueDeliveries(db, {
      senderId,
      leaseMs,
      limit: concurrency - inFlight.size,
      perEndpoint,
      inFlight: perEndpointCount,
    });
    for (const delivery of claimed) launch(delivery);
    return claimed.length > 0;
  }

  const loop = createWorkLoop('webhook delivery', claimAndLaunch, options.idleMs ?? 500);
  return {
    start: loop.start,
    /** Stops claiming and lets the calls in flight finish (each is bounded by the timeout). */
    async stop() {
      await loop.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
