// Lists: `POST/GET /api/lists`, `GET/PATCH/DELETE /api/lists/{id}`.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Database } from '../../shared/db/database';
import { createList, deleteList, findMissingListIds, getList, listLists, updateList, type ListWithCounts } from '../../shared/queries/lists';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const tags = ['Lists'];

const ListName = z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters');
const Optin = z.enum(['single', 'double']).openapi({
  description: '`double`: members added through the API start `unconfirmed` unless `preconfirm` is set.',
});

const ListSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    optin: Optin,
    counts: z.object({ subscribed: z.number().int(), unconfirmed: z.number().int(), unsubscribed: z.number().int() }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('List');

const CreateListBody = z.object({ name: ListName, optin: Optin.default('single') }).strict();
const UpdateListBody = z
  .object({ name: ListName.optional(), optin: Optin.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one of name, optin');

function toListBody(list: ListWithCounts) {
  return { ...list, createdAt: iso(list.createdAt), updatedAt: iso(list.updatedAt) };
}

/** Throws a 400 naming every id in `ids` that is not a list, at `field.<index>`. */
export async function requireListsExist(db: Database, ids: readonly number[], field: string): Promise<void> {
  const missing = new Set(await findMissingListIds(db, ids));
  if (missing.size === 0) return;
  const details = ids.flatMap((id, i) => (missing.has(id) ? [{ path: `${field}.${i}`, message: `no list with id ${id}` }] : []));
  throw new ApiError(400, 'VALIDATION', `Unknown list id(s): ${[...missing].join(', ')}. Create them with POST /api/lists first.`, details);
}

export function listsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/lists',
      tags,
      summary: 'Create a list',
      request: { body: jsonBody(CreateListBody) },
      responses: { 201: jsonContent(ListSchema, 'The new list'), 400: errors[400] },
    }),
    async function createListHandler(c) {
      return c.json(toListBody(await createList(db, c.req.valid('json'))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/lists',
      tags,
      summary: 'List lists, with member counts per status',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(ListSchema), 'A page of lists, in id order'), 400: errors[400] },
    }),
    async function listListsHandler(c) {
      const page = await listLists(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toListBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/lists/{id}',
      tags,
      summary: 'Get a list',
      request: { params: IdParams },
      responses: { 200: jsonContent(ListSchema, 'The list'), 404: errors[404] },
    }),
    async function getListHandler(c) {
      const { id } = c.req.valid('param');
      const list = await getList(db, id);
      if (!list) throw notFound(id);
      return c.json(toListBody(list), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/lists/{id}',
      tags,
      summary: 'Rename a list or change its opt-in',
      request: { params: IdParams, body: jsonBody(UpdateListBody) },
      responses: { 200: jsonContent(ListSchema, 'The updated list'), 400: errors[400], 404: errors[404] },
    }),
    async function updateListHandler(c) {
      const { id } = c.req.valid('param');
      const list = await updateList(db, id, c.req.valid('json'));
      if (!list) throw notFound(id);
      return c.json(toListBody(list), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/lists/{id}',
      tags,
      summary: 'Delete a list and its memberships (subscribers stay)',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 404: errors[404], 409: errors[409] },
    }),
    async function deleteListHandler(c) {
      const { id } = c.req.valid('param');
      const result = await deleteList(db, id);
      if (!result) throw notFound(id);
      if (!result.deleted) {
        throw new ApiError(409, 'CONFLICT', `List ${id} is used by campaign(s) ${result.usedByCampaigns.join(', ')}; it is kept so their history stays whole.`);
      }
      return c.body(null, 204);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No list with id ${id}.`);
}
