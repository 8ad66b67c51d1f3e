// `POST /hooks/:provider`: relays (SES through SNS, Mailgun, SendGrid, Postmark, SparkPost,
// Elastic Email) report deliveries, bounces and complaints here. Public (no API key): each
// request is authenticated by the provider's module against the marketer's saved sources
// (`/api/relay-webhooks`), parsed into delivery events and handed to the feedback recorder.
// The relay gets 200 only once its events are safe; any 5xx makes it retry, and the
// recorder is idempotent on event keys, so a retry never counts an event twice.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isWebhookProvider, webhookProviders, type WebhookProvider } from '../../shared/feedback/delivery-event';
import type { ErrorCode } from '../../shared/errors';
import { touchRelayWebhook } from '../../shared/queries/relay-webhooks';
import { sha256Hex } from '../../shared/sha256-hex';
import { relayWebhookModules } from '../../shared/webhooks/relay-webhook-modules';
import { WebhookPayloadError, type RelayWebhook, type WebhookRequest, type WebhookSource } from '../../shared/webhooks/relay-webhook';
import { errorBody } from '../api-error';
import type { AppDeps } from '../deps';
import type { WebhookSourceCache } from '../webhook-source-cache';

/** The largest body accepted: far above any relay's batch (SendGrid posts up to ~1,000 events), far below what would hurt an isolate. */
export const MAX_HOOK_BODY_BYTES = 5 * 1024 * 1024;
/** How long SNS gets to answer a subscription confirmation: SNS is waiting on our own answer meanwhile. */
const CONFIRM_TIMEOUT_MS = 10_000;
/** `last_received_at` is written at most this often per source and process: it tells the marketer the relay reaches us, not a count. */
export const TOUCH_INTERVAL_MS = 60_000;

// The same answer whatever failed (no source, wrong key, stale timestamp, replay): a prober
// learns nothing; the reason goes to the log.
const UNAUTHORIZED_MESSAGE = 'This request does not match any relay webhook saved here: check the settings saved with /api/relay-webhooks against the relay console.';

/** The body's bytes, or null as soon as it proves larger than `max` (the rest is never read). */
export async function readBodyWithin(request: Request, max: number): Promise<Uint8Array | null> {
  if (Number(request.headers.get('content-length')) > max) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function hookError(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string): Response {
  return c.json(errorBody(code, message), status, { 'Cache-Control': 'no-store' });
}

/** Hands a write to the host's waitUntil, so the relay's answer does not wait on it. */
function afterResponse(c: Context, task: Promise<unknown>, what: string): void {
  const logged = task.catch((err) => console.error(`${what} failed`, err));
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    // No ExecutionContext (a bare app.request): the task still runs, without a keep-alive.
  }
}

export function relayHooksRoutes(deps: AppDeps, cache: WebhookSourceCache) {
  const app = new OpenAPIHono();
  documentRelayHooks(app);
  const lastTouched = new Map<number, number>();

  function touchSource(c: Context, sourceId: number): void {
    const at = Date.now();
    const last = lastTouched.get(sourceId);
    if (last !== undefined && at - last < TOUCH_INTERVAL_MS) return;
    lastTouched.set(sourceId, at);
    afterResponse(c, touchRelayWebhook(deps.db, sourceId, at), `relay webhook ${sourceId}: noting last_received_at`);
  }

  /** GETs an SNS SubscribeURL (the module checked it is an SNS host); false when SNS did not accept it. */
  async function confirmSubscription(provider: WebhookProvider, url: string): Promise<boolean> {
    try {
      const res = await deps.webhooks.fetch(url, { method: 'GET', signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
      await res.body?.cancel();
      if (res.ok) return true;
      console.error(`POST /hooks/${provider}: subscription confirmation answered ${res.status}`);
    } catch (err) {
      console.error(`POST /hooks/${provider}: subscription confirmation failed: ${(err as Error).message}`);
    }
    return false;
  }

  async function handleAuthenticated(c: Context, module: RelayWebhook, request: WebhookRequest, source: WebhookSource): Promise<Response> {
    let parsed;
    try {
      parsed = module.parse(request, source);
    } catch (err) {
      if (err instanceof WebhookPayloadError) return hookError(c, 400, 'VALIDATION', err.message);
      throw err;
    }
    if (parsed.confirmSubscriptionUrl && !(await confirmSubscription(module.provider, parsed.confirmSubscriptionUrl))) {
      // 5xx: SNS sends the confirmation again, and we try again.
      return hookError(c, 502, 'UNAVAILABLE', 'The subscription could not be confirmed with Amazon SNS; it will be retried.');
    }
    if (parsed.events.length > 0) {
      try {
        await deps.feedback.record(parsed.events);
      } catch (err) {
        console.error(`POST /hooks/${module.provider}: ${parsed.events.length} event(s) could not be stored; the relay will retry`, err);
        return hookError(c, 503, 'UNAVAILABLE', 'The events could not be stored right now; send them again later.');
      }
    }
    return c.json({ received: parsed.events.length, ...(parsed.confirmSubscriptionUrl ? { confirmed: true } : {}) }, 200);
  }

  // Elastic Email notifies by GET, its fields in the query; every other relay POSTs.
  app.on(['GET', 'POST'], '/hooks/:provider', async function relayHook(c) {
    const provider = c.req.param('provider');
    if (c.req.method === 'GET' && provider !== 'elasticemail') {
      return hookError(c, 405, 'METHOD_NOT_ALLOWED', `Relay webhooks are POSTed; only elasticemail notifies by GET.`);
    }
    if (!isWebhookProvider(provider)) {
      return hookError(c, 404, 'NOT_FOUND', `No relay webhook "${provider}"; use one of: ${webhookProviders.join(', ')}.`);
    }
    const body = await readBodyWithin(c.req.raw, MAX_HOOK_BODY_BYTES);
    if (!body) return hookError(c, 413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_HOOK_BODY_BYTES / 1024 / 1024} MB; configure the relay to send smaller batches.`);

    const module = relayWebhookModules[provider];
    const request: WebhookRequest = { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body };
    const sources = await cache.sources(provider);
    const auth = sources.length === 0
      ? { ok: false as const, reason: `no usable ${provider} source: none is saved (POST /api/relay-webhooks), or none could be opened (logged when read)` }
      : // A host (or a test) may give its webhook context its own clock.
        await module.authenticate(request, sources, { now: Date.now, ...deps.webhooks });
    const replay = auth.ok ? auth.replayKey : undefined;
    if (auth.ok && replay && !(await deps.webhooks.replay.claim(replay.key, replay.expiresAt, await sha256Hex(body)))) {
      console.warn(`${c.req.method} /hooks/${provider}: refused (401): its single-use token was already used with another body (a replay)`);
      return hookError(c, 401, 'UNAUTHORIZED', UNAUTHORIZED_MESSAGE);
    }
    if (!auth.ok) {
      console.warn(`${c.req.method} /hooks/${provider}: refused (401): ${auth.reason}`);
      return hookError(c, 401, 'UNAUTHORIZED', UNAUTHORIZED_MESSAGE);
    }
    try {
      return await handleAuthenticated(c, module, request, auth.source);
    } finally {
      touchSource(c, auth.source.id);
    }
  });

  return app;
}

/** Documents the route without zod validation: the body is the relay's, read raw for its signature. */
function documentRelayHooks(app: OpenAPIHono): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/hooks/elasticemail',
    tags: ['Relay webhooks'],
    summary: 'Receives an Elastic Email notification (public; its fields and the saved token in the query)',
    security: [],
    responses: { 200: { description: 'Stored (or already stored before)' }, 401: { description: 'The token matches no saved Elastic Email source' } },
  });
  const error = (description: string) => ({ description, content: { 'application/json': { schema: z.object({ error: z.object({ code: z.string(), message: z.string() }) }) } } });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/hooks/{provider}',
    tags: ['Relay webhooks'],
    summary: 'Receives a relay\'s delivery events (public; authenticated by the relay webhook sources saved with /api/relay-webhooks)',
    description: webhookProviders.map((p) => `\`${p}\`: ${relayWebhookModules[p].settings.description}`).join(' '),
    security: [],
    request: {
      params: z.object({ provider: z.enum(webhookProviders).openapi({ param: { name: 'provider', in: 'path' } }) }),
      body: { description: `The relay's payload exactly as it sends it (at most ${MAX_HOOK_BODY_BYTES / 1024 / 1024} MB).`, content: { 'application/json': { schema: z.unknown() } } },
    },
    responses: {
      200: {
        description: 'Stored (or already stored before): the relay may forget these events',
        content: { 'application/json': { schema: z.object({ received: z.number().int(), confirmed: z.boolean().optional().openapi({ description: 'An SNS subscription was confirmed.' }) }) } },
      },
      400: error('Authenticated, but the body cannot be read as this relay\'s events'),
      401: error('Not signed by any saved source of this relay (the same answer whatever the reason)'),
      404: error('No such relay'),
      405: error('GET on a relay other than elasticemail'),
      413: error('Body over the size limit'),
      502: error('SNS did not accept the subscription confirmation; SNS retries'),
      503: error('The events could not be stored now; the relay retries and nothing is lost'),
    },
  });
}
