// Outgoing webhooks: `POST/GET /api/webhook-endpoints`, `GET/PATCH/DELETE /api/webhook-endpoints/{id}`,
// `POST /api/webhook-endpoints/{id}/rotate-secret`, `GET /api/webhook-endpoints/{id}/deliveries`,
// `POST /api/webhook-endpoints/{id}/test` and `POST /api/webhook-deliveries/{id}/retry`.
// Deliveries are queued by database triggers and sent by the sender plane (docs/webhooks.md);
// the signing secret is shown once, when it is made, and kept sealed.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { webhookDeliveryStatuses } from '../../shared/db/schema';
import { queueTestDelivery, listWebhookDeliveries, retryWebhookDelivery, type WebhookDeliveryRow } from '../../shared/queries/webhook-deliveries';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  updateWebhookEndpoint,
  type WebhookEndpointRow,
} from '../../shared/queries/webhook-endpoints';
import { encryptSecrets } from '../../shared/secret-box';
import { outgoingEventNames, outgoingEvents, PING_EVENT } from '../../shared/webhooks/outgoing-events';
import { generateWebhookSecret, parseSigningSecrets, rotateSigningSecrets, type WebhookSigningSecrets } from '../../shared/webhooks/standard-webhook-signature';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { openSealedSecrets, secretKeysOf } from '../../shared/keyring';

const tags = ['Webhook endpoints'];
const HOUR = 3_600_000;
/** How long a rotated-out secret goes on signing, unless the request says otherwise. */
const DEFAULT_GRACE_HOURS = 24;

const EventName = z.enum(outgoingEventNames, { error: (issue) => unknownEvent(issue.input) }).openapi({
  description: outgoingEventNames.map((name) => `\`${name}\`: ${outgoingEvents[name]}`).join(' '),
});
const Events = z
  .array(EventName)
  .min(1, 'events must name at least one event')
  .transform((names) => [...new Set(names)])
  .openapi({ description: 'The events this endpoint receives (docs/webhooks.md describes each payload).' });
const Url = z
  .url({ protocol: /^https?$/, error: 'url must be an http or https URL, e.g. https://hooks.example.com/edgepost' })
  .max(2000, 'url must be at most 2000 characters')
  // fetch refuses URLs with credentials, and the API would show them to every key holder.
  .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), 'url must not hold a user name or password: the signature tells the endpoint the call is ours')
  .openapi({ example: 'https://hooks.example.com/edgepost' });
const Description = z.string().trim().max(500, 'description must be at most 500 characters');

const EndpointSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    active: z.boolean().openapi({ description: 'False: nothing is queued for it and its pending deliveries wait (disabled by you, or by a 410 Gone answer).' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('WebhookEndpoint');

const EndpointWithSecret = EndpointSchema.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_...`), shown only now: keep it to verify signatures.', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
  previousSecretExpiresAt: Timestamp.nullable().openapi({ description: 'Until when the previous secret also signs each delivery (a second signature); null: it no longer does.' }),
}).openapi('WebhookEndpointWithSecret');

const DeliverySchema = z
  .object({
    id: z.number().int().openapi({ description: 'Sent as `webhook-id: msg_<id>`.' }),
    endpointId: z.number().int(),
    event: z.string(),
    status: z.enum(webhookDeliveryStatuses),
    attempts: z.number().int().openapi({ description: 'Attempts made (since the last manual retry).' }),
    payload: z.record(z.string(), z.unknown()).openapi({ description: 'The body sent, the same bytes on every attempt.' }),
    nextAttemptAt: Timestamp.nullable().openapi({ description: 'When it is tried next; null unless pending.' }),
    lastAttemptAt: Timestamp.nullable(),
    lastStatus: z.number().int().nullable().openapi({ description: "The endpoint's last HTTP status; null when it did not answer." }),
    lastResponse: z.string().nullable().openapi({ description: "The start (about 1 KB) of the endpoint's last answer." }),
    lastError: z.string().nullable().openapi({ description: 'Why the last attempt failed.' }),
    deliveredAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('WebhookDelivery');

const CreateBody = z
  .object({ url: Url, description: Description.default(''), events: Events, active: z.boolean().default(true) })
  .strict();
const UpdateBody = z
  .object({ url: Url.optional(), description: Description.optional(), events: Events.optional(), active: z.boolean().optional() })
  .strict();
const RotateBody = z
  .object({
    graceHours: z
      .number()
      .min(0, 'graceHours must be 0-168')
      .max(168, 'graceHours must be 0-168')
      .optional()
      .openapi({ description: `How long the old secret goes on signing too, so receivers can switch without a failure (default ${DEFAULT_GRACE_HOURS}); 0 stops it at once, e.g. after a leak.` }),
  })
  .strict();
const DeliveriesQuery = PageQuery.extend({ status: z.enum(webhookDeliveryStatuses).optional() });

function toEndpointBody(row: WebhookEndpointRow) {
  const { secret: _sealed, ...rest } = row;
  return { ...rest, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

function toDeliveryBody(row: WebhookDeliveryRow) {
  const { claimedBy: _by, leaseUntil: _until, ...rest } = row;
  return {
    ...rest,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    deliveredAt: iso(row.deliveredAt),
    createdAt: iso(row.createdAt),
  };
}

function withSecret(row: WebhookEndpointRow, secrets: WebhookSigningSecrets) {
  return { ...toEndpointBody(row), secret: secrets.current, previousSecretExpiresAt: secrets.previousUntil ? iso(secrets.previousUntil) : null };
}

export function webhookEndpointsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db, keys } = deps;

  async function requireEndpoint(id: number): Promise<WebhookEndpointRow> {
    const row = await getWebhookEndpoint(db, id);
    if (!row) throw notFound(id);
    return row;
  }

  /** The endpoint's secrets, or none when they cannot be opened (a rotation then starts afresh). */
  async function openSecrets(row: WebhookEndpointRow): Promise<WebhookSigningSecrets | null> {
    try {
      return parseSigningSecrets(await openSealedSecrets(secretKeysOf(deps.keyring), row.secret));
    } catch {
      return null;
    }
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints',
      tags,
      summary: 'Add a webhook endpoint (its signing secret is in this answer only)',
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(EndpointWithSecret, 'The new endpoint, with its secret'), 400: errors[400] },
    }),
    async function createWebhookEndpointHandler(c) {
      const input = c.req.valid('json');
      const secrets: WebhookSigningSecrets = { current: generateWebhookSecret() };
      const row = await createWebhookEndpoint(db, { ...input, secret: await encryptSecrets(keys.secrets, { ...secrets }) });
      return c.json(withSecret(row, secrets), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints',
      tags,
      summary: 'List webhook endpoints',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(EndpointSchema), 'A page of endpoints, in id order'), 400: errors[400] },
    }),
    async function listWebhookEndpointsHandler(c) {
      const page = await listWebhookEndpoints(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toEndpointBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}',
      tags,
      summary: 'Get a webhook endpoint',
      request: { params: IdParams },
      responses: { 200: jsonContent(EndpointSchema, 'The endpoint'), 404: errors[404] },
    }),
    async function getWebhookEndpointHandler(c) {
      return c.json(toEndpointBody(await requireEndpoint(c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/webhook-endpoints/{id}',
      tags,
      summary: 'Update a webhook endpoint (URL, description, events, active)',
      request: { params: IdParams, body: jsonBody(UpdateBody) },
      responses: { 200: jsonContent(EndpointSchema, 'The updated endpoint'), 400: errors[400], 404: errors[404] },
    }),
    async function updateWebhookEndpointHandler(c) {
      const { id } = c.req.valid('param');
      const row = await updateWebhookEndpoint(db, id, c.req.valid('json'));
      if (!row) throw notFound(id);
      return c.json(toEndpointBody(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/webhook-endpoints/{id}',
      tags,
      summary: 'Delete a webhook endpoint and its deliveries',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 404: errors[404] },
    }),
    async function deleteWebhookEndpointHandler(c) {
      const { id } = c.req.valid('param');
      if (!(await deleteWebhookEndpoint(db, id))) throw notFound(id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints/{id}/rotate-secret',
      tags,
      summary: 'Replace the signing secret (the new one is in this answer only)',
      request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: RotateBody } } } },
      responses: { 200: jsonContent(EndpointWithSecret, 'The endpoint, with its new secret'), 400: errors[400], 404: errors[404] },
    }),
    async function rotateWebhookSecretHandler(c) {
      const { id } = c.req.valid('param');
      const graceHours = c.req.valid('json').graceHours ?? DEFAULT_GRACE_HOURS;
      const current = await requireEndpoint(id);
      const now = Date.now();
      // An old secret that cannot be opened (SECRET_KEY changed) cannot sign either: start afresh.
      const old = await openSecrets(current);
      const secrets = old ? rotateSigningSecrets(old, graceHours * HOUR, now) : { current: generateWebhookSecret() };
      const row = await updateWebhookEndpoint(db, id, { secret: await encryptSecrets(keys.secrets, { ...secrets }) });
      if (!row) throw notFound(id);
      return c.json(withSecret(row, secrets), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhook-endpoints/{id}/deliveries',
      tags,
      summary: "List an endpoint's deliveries, newest first, with each one's last answer",
      request: { params: IdParams, query: DeliveriesQuery },
      responses: { 200: jsonContent(pageOf(DeliverySchema), 'A page of deliveries, newest first'), 400: errors[400], 404: errors[404] },
    }),
    async function listWebhookDeliveriesHandler(c) {
      const { id } = c.req.valid('param');
      await requireEndpoint(id);
      const page = await listWebhookDeliveries(db, id, c.req.valid('query'));
      return c.json({ data: page.rows.map(toDeliveryBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook-endpoints/{id}/test',
      tags,
      summary: 'Queue a test delivery (event `ping`) to the endpoint',
      request: { params: IdParams },
      responses: { 202: jsonContent(DeliverySchema, 'The queued delivery; a sender sends it within a second or two'), 404: errors[404], 409: errors[409] },
    }),
    async function testWebhookEndpointHandler(c) {
      const { id } = c.req.valid('param');
      const delivery = await queueTestDelivery(db, id);
      if (delivery) return c.json(toDeliveryBody(delivery), 202);
      await requireEndpoint(id);
      throw new ApiError(409, 'CONFLICT', `Webhook endpoint ${id} is disabled; enable it first (PATCH active: true).`);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook-deliveries/{id}/retry',
      tags,
      summary: 'Send a delivered or failed delivery again, now, with a fresh series of attempts',
      request: { params: IdParams },
      responses: { 202: jsonContent(DeliverySchema, 'The delivery, pending again'), 404: errors[404], 409: errors[409] },
    }),
    async function retryWebhookDeliveryHandler(c) {
      const { id } = c.req.valid('param');
      const result = await retryWebhookDelivery(db, id);
      if (!result) throw new ApiError(404, 'NOT_FOUND', `No webhook delivery with id ${id}.`);
      if ('refused' in result) throw new ApiError(409, 'CONFLICT', `Webhook delivery ${id} cannot be retried: ${result.refused}.`);
      return c.json(toDeliveryBody(result.retried), 202);
    },
  );

  return app;
}

function unknownEvent(input: unknown): string {
  if (input === PING_EVENT) return 'ping needs no subscription: every endpoint gets it from POST /api/webhook-endpoints/{id}/test';
  return `${JSON.stringify(input)} is not an event; the events are ${outgoingEventNames.join(', ')} (docs/webhooks.md)`;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No webhook endpoint with id ${id}.`);
}
