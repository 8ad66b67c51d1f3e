// The capture driver's local inbox: `GET /api/captured-messages`, `GET /api/captured-messages/{id}`
// and `GET /api/captured-messages/{id}/raw` (message/rfc822, so it opens in a mail client).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  getCapturedMessage,
  listCapturedMessages,
  type CapturedMessageRow,
  type CapturedMessageSummary,
} from '../../shared/queries/captured-messages';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const tags = ['Captured messages'];

const SummarySchema = z
  .object({
    id: z.number().int(),
    messageId: z.number().int().nullable().openapi({ description: 'The message (one campaign × subscriber) it was captured for.' }),
    to: z.string(),
    subject: z.string(),
    size: z.number().int().openapi({ description: 'Bytes of the raw MIME message.' }),
    createdAt: Timestamp,
  })
  .openapi('CapturedMessageSummary');

const CapturedSchema = SummarySchema.extend({
  raw: z.string().openapi({ description: 'The whole MIME message, exactly as a relay would have received it.' }),
}).openapi('CapturedMessage');

const ListQuery = PageQuery.extend({
  to: z.string().trim().min(1).max(320).optional().openapi({ description: 'Only mail to this address.' }),
  messageId: z.coerce.number().int().positive().optional(),
});

function toSummaryBody(m: CapturedMessageSummary) {
  return { id: m.id, messageId: m.messageId, to: m.toAddress, subject: m.subject, size: m.size, createdAt: iso(m.createdAt) };
}

function toCapturedBody(m: CapturedMessageRow) {
  return { ...toSummaryBody({ ...m, size: new TextEncoder().encode(m.raw).length }), raw: m.raw };
}

export function capturedMessagesRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/captured-messages',
      tags,
      summary: 'List captured mail, newest first (without the raw message)',
      request: { query: ListQuery },
      responses: { 200: jsonContent(pageOf(SummarySchema), 'A page of captured mail'), 400: errors[400] },
    }),
    async function listCapturedMessagesHandler(c) {
      const page = await listCapturedMessages(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toSummaryBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/captured-messages/{id}',
      tags,
      summary: 'Get captured mail with its raw MIME',
      request: { params: IdParams },
      responses: { 200: jsonContent(CapturedSchema, 'The captured mail'), 404: errors[404] },
    }),
    async function getCapturedMessageHandler(c) {
      const { id } = c.req.valid('param');
      return c.json(toCapturedBody(await requireCaptured(id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/captured-messages/{id}/raw',
      tags,
      summary: 'Download captured mail as a .eml file (message/rfc822)',
      request: { params: IdParams },
      responses: {
        200: { description: 'The raw message', content: { 'message/rfc822': { schema: z.string() } } },
        404: errors[404],
      },
    }),
    async function rawCapturedMessageHandler(c) {
      const { id } = c.req.valid('param');
      const message = await requireCaptured(id);
      return c.body(message.raw, 200, {
        'content-type': 'message/rfc822',
        'content-disposition': `attachment; filename="captured-${id}.eml"`,
        // Mail can hold HTML and scripts: never let a browser sniff it into a page.
        'x-content-type-options': 'nosniff',
      });
    },
  );

  async function requireCaptured(id: number): Promise<CapturedMessageRow> {
    const message = await getCapturedMessage(db, id);
    if (!message) throw new ApiError(404, 'NOT_FOUND', `No captured message with id ${id}.`);
    return message;
  }

  return app;
}
