// What happened to each message and each subscriber: `GET /api/messages/{id}` (the message
// and its latest events), `GET /api/messages/{id}/events` and `GET /api/subscribers/{id}/events`,
// newest first. Events come from relay webhooks, the bounce inbox and our own tracking.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eventTypes, messageStatuses } from '../../shared/db/schema';
import { messageWithEvents, parseEventCursor, subscriberEvents, type EventPage, type EventPageQuery, type EventView } from '../../shared/queries/events';
import { ApiError } from '../api-error';
import { DEFAULT_PAGE_SIZE, errors, IdParams, iso, jsonContent, PageLimit, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const EventSchema = z
  .object({
    id: z.number().int(),
    type: z.enum(eventTypes),
    bounceClass: z.enum(['hard', 'soft']).nullable().openapi({ description: 'For bounces: `hard` suppresses at once, `soft` only when repeated.' }),
    source: z.string().nullable().openapi({ description: 'The relay (`ses`, `mailgun`...) or `bounce-inbox` that reported it; null: our own pixel, click or unsubscribe page.' }),
    status: z.string().nullable().openapi({ description: 'Enhanced status code, e.g. `5.1.1`.' }),
    diagnostic: z.string().nullable().openapi({ description: "The remote server's answer or the relay's reason." }),
    url: z.string().nullable().openapi({ description: 'The clicked URL, for clicks.' }),
    at: Timestamp.openapi({ description: 'When it happened at the source.' }),
    messageId: z.number().int().nullable(),
    campaignId: z.number().int().nullable(),
  })
  .openapi('Event');

const EventPageSchema = z
  .object({
    data: z.array(EventSchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next (older) page; null on the last one.' }),
  })
  .openapi('EventPage');

const MessageSchema = z
  .object({
    id: z.number().int(),
    campaign: z.object({ id: z.number().int(), name: z.string() }),
    subscriber: z.object({ id: z.number().int(), email: z.string() }),
    status: z.enum(messageStatuses),
    attempts: z.number().int(),
    providerMessageId: z.string().nullable().openapi({ description: "The relay's id for it, once sent." }),
    sendingServerId: z.number().int().nullable().openapi({ description: 'The server that accepted it, or the last one that refused it (null: never tried).' }),
    lastError: z.string().nullable().openapi({ description: "The relay's last refusal, or why it was skipped." }),
    queuedAt: Timestamp,
    sentAt: Timestamp.nullable(),
    events: EventPageSchema.openapi({ description: 'The latest events; older ones from `GET /api/messages/{id}/events`.' }),
  })
  .openapi('Message');

const EventsQuery = z.object({
  cursor: z
    .string()
    .refine((c) => parseEventCursor(c) !== null, 'cursor must be the nextCursor of a previous page')
    .transform((c) => parseEventCursor(c)!)
    .optional()
    .openapi({ type: 'string', description: 'The `nextCursor` of the previous page; omit for the newest events.' }),
  limit: PageLimit,
});

function pageQuery(query: z.output<typeof EventsQuery>): EventPageQuery {
  return { limit: query.limit, ...(query.cursor ? { before: query.cursor } : {}) };
}

function toEventBody(e: EventView) {
  return { ...e, at: iso(e.at) };
}

function toEventPageBody(page: EventPage) {
  return { data: page.rows.map(toEventBody), nextCursor: page.nextCursor };
}

export function messagesRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  async function requireMessage(id: number, page: EventPageQuery) {
    const found = await messageWithEvents(db, id, page);
    if (!found) throw new ApiError(404, 'NOT_FOUND', `No message with id ${id}.`);
    return found;
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/messages/{id}',
      tags: ['Messages'],
      summary: 'A message: its campaign, recipient, sending outcome and latest events',
      request: { params: IdParams },
      responses: { 200: jsonContent(MessageSchema, 'The message'), 404: errors[404] },
    }),
    async function getMessageHandler(c) {
      const { id } = c.req.valid('param');
      const { message: m, events } = await requireMessage(id, { limit: DEFAULT_PAGE_SIZE });
      return c.json(
        {
          id: m.id,
          campaign: { id: m.campaignId, name: m.campaignName },
          subscriber: { id: m.subscriberId, email: m.email },
          status: m.status,
          attempts: m.attempts,
          providerMessageId: m.providerMessageId,
          sendingServerId: m.sendingServerId,
          lastError: m.lastError,
          queuedAt: iso(m.queuedAt),
          sentAt: iso(m.sentAt),
          events: toEventPageBody(events),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/messages/{id}/events',
      tags: ['Messages'],
      summary: "A message's events, newest first",
      request: { params: IdParams, query: EventsQuery },
      responses: { 200: jsonContent(EventPageSchema, 'A page of events'), 400: errors[400], 404: errors[404] },
    }),
    async function messageEventsHandler(c) {
      const { id } = c.req.valid('param');
      const { events } = await requireMessage(id, pageQuery(c.req.valid('query')));
      return c.json(toEventPageBody(events), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers/{id}/events',
      tags: ['Subscribers'],
      summary: "A subscriber's events across campaigns (and relay events for the address that matched no message), newest first",
      request: { params: IdParams, query: EventsQuery },
      responses: { 200: jsonContent(EventPageSchema, 'A page of events'), 400: errors[400], 404: errors[404] },
    }),
    async function subscriberEventsHandler(c) {
      const { id } = c.req.valid('param');
      const page = await subscriberEvents(db, id, pageQuery(c.req.valid('query')));
      if (!page) throw new ApiError(404, 'NOT_FOUND', `No subscriber with id ${id}.`);
      return c.json(toEventPageBody(page), 200);
    },
  );

  return app;
}
