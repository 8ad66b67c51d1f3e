// Subscribers: `POST/GET /api/subscribers`, `GET/PATCH/DELETE /api/subscribers/{id}`.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  createSubscriber,
  deleteSubscriber,
  getSubscriber,
  listSubscribers,
  updateSubscriber,
  type DuplicateEmail,
  type SubscriberRow,
  type SubscriberWithLists,
} from '../../shared/queries/subscribers';
import { Email, MAX_ATTRIBUTES_BYTES, Name } from '../../shared/subscriber-fields';
import { ApiError, errorBody } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { requireListsExist } from './lists';

const tags = ['Subscribers'];

const Attributes = z
  .record(z.string(), z.unknown())
  .refine((a) => JSON.stringify(a).length <= MAX_ATTRIBUTES_BYTES, `attributes must be at most ${MAX_ATTRIBUTES_BYTES} bytes of JSON`)
  .openapi({ description: 'Marketer-defined fields, merged into templates as `{{ subscriber.attributes.city }}`.', example: { city: 'Lyon' } });
const ListIds = z
  .array(z.number().int().positive())
  .max(100, 'at most 100 lists at once')
  .refine((ids) => new Set(ids).size === ids.length, 'list ids must not repeat');
const Status = z.enum(['active', 'blocklisted']).openapi({ description: '`blocklisted` subscribers are never mailed.' });
const MembershipStatus = z.enum(['unconfirmed', 'subscribed', 'unsubscribed']);
const Preconfirm = z.boolean().default(false).openapi({
  description: 'Add to double opt-in lists as `subscribed` (the subscriber already confirmed elsewhere) instead of `unconfirmed`.',
});

const SubscriberSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    attributes: z.record(z.string(), z.unknown()),
    status: Status,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Subscriber');

const SubscriberWithListsSchema = SubscriberSchema.extend({
  lists: z.array(
    z.object({ listId: z.number().int(), listName: z.string(), status: MembershipStatus, createdAt: Timestamp, updatedAt: Timestamp }),
  ),
}).openapi('SubscriberWithLists');

const DuplicateSchema = z
  .object({ error: z.object({ code: z.literal('CONFLICT'), message: z.string(), existingId: z.number().int() }) })
  .openapi('DuplicateSubscriber');

const CreateBody = z
  .object({
    email: Email,
    name: Name.default(''),
    attributes: Attributes.default({}),
    lists: ListIds.default([]),
    status: Status.default('active'),
    preconfirm: Preconfirm,
  })
  .strict();

const UpdateBody = z
  .object({
    email: Email.optional(),
    name: Name.optional(),
    attributes: Attributes.optional(),
    attributesMode: z.enum(['merge', 'replace']).default('merge').openapi({
      description: '`merge` (default): JSON merge patch (RFC 7396): nested objects merge, `null` removes a key. `replace`: `attributes` becomes the new object.',
    }),
    status: Status.optional(),
    lists: z
      .object({ add: ListIds.default([]), remove: ListIds.default([]) })
      .strict()
      .refine((l) => !l.add.some((id) => l.remove.includes(id)), 'a list cannot be both added and removed')
      .optional()
      .openapi({ description: 'Memberships to add and remove. An existing membership is kept as it is (an unsubscribe is never undone).' }),
    preconfirm: Preconfirm,
  })
  .strict();

const filterFields = {
  list: z.coerce.number().int().positive().optional().openapi({ description: 'Only members of this list.' }),
  listStatus: MembershipStatus.optional().openapi({ description: 'With `list`: only memberships in this status.' }),
  status: Status.optional(),
  search: z.string().trim().min(1).max(254).optional().openapi({ description: 'Part of the email address or of the name, case-insensitive.' }),
};
const hasListIfListStatus = (q: { list?: number; listStatus?: string }) => q.listStatus === undefined || q.list !== undefined;
const listStatusNeedsList = { path: ['listStatus'], message: 'listStatus needs list' };

/** The filters of GET /api/subscribers, shared with the CSV export; `attr.<key>` parameters are read by attributeFilters. */
export const SubscriberFilterQuery = z.object(filterFields).refine(hasListIfListStatus, listStatusNeedsList);
const ListQuery = PageQuery.extend(filterFields).refine(hasListIfListStatus, listStatusNeedsList);

/** How the routes that filter subscribers document `attr.<key>=<value>`. */
export const ATTRIBUTE_FILTER_DOC =
  'Filter by attribute with `attr.<key>=<value>` (e.g. `attr.city=Lyon`; repeat for several keys, all must match). The value matches a string exactly, or a number or boolean by its JSON text (`attr.age=30`, `attr.vip=true`).';
const ATTRIBUTE_FILTER_PREFIX = 'attr.';
const MAX_ATTRIBUTE_FILTER_VALUE = 1000;

/** The `attr.<key>=<value>` parameters of a query string, checked; undefined when there are none. */
export function attributeFilters(query: Record<string, string[]>): Record<string, string> | undefined {
  const details: { path: string; message: string }[] = [];
  const filters: Record<string, string> = {};
  for (const [param, values] of Object.entries(query)) {
    if (!param.startsWith(ATTRIBUTE_FILTER_PREFIX)) continue;
    const key = param.slice(ATTRIBUTE_FILTER_PREFIX.length);
    // The key goes into a quoted JSON path: a quote or backslash would end it.
    if (!/^[^"\\]{1,64}$/.test(key)) details.push({ path: param, message: 'an attribute key is 1-64 characters, without " or \\' });
    else if (values.length > 1) details.push({ path: param, message: `give ${param} once (all attr. filters must match, so two values for one key match nothing)` });
    else if (values[0]!.length > MAX_ATTRIBUTE_FILTER_VALUE) details.push({ path: param, message: `at most ${MAX_ATTRIBUTE_FILTER_VALUE} characters` });
    else filters[key] = values[0]!;
  }
  if (details.length > 0) throw new ApiError(400, 'VALIDATION', `Invalid query string: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  return Object.keys(filters).length > 0 ? filters : undefined;
}

function toSubscriberBody(s: SubscriberRow) {
  return { ...s, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) };
}

function toSubscriberWithListsBody(s: SubscriberWithLists) {
  return {
    ...toSubscriberBody(s),
    lists: s.lists.map((m) => ({ ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt) })),
  };
}

function isDuplicate(result: object): result is DuplicateEmail {
  return 'duplicateOf' in result;
}

// The one error body plus the id to use instead, so a client can PATCH the existing subscriber.
function duplicateBody(email: string, existingId: number) {
  const { error } = errorBody('CONFLICT', `A subscriber with the email ${email} already exists (id ${existingId}).`);
  return { error: { code: 'CONFLICT' as const, message: error.message, existingId } };
}

export function subscribersRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscribers',
      tags,
      summary: 'Add a subscriber, optionally to lists',
      request: { body: jsonBody(CreateBody) },
      responses: {
        201: jsonContent(SubscriberWithListsSchema, 'The new subscriber with its memberships'),
        400: errors[400],
        409: jsonContent(DuplicateSchema, 'The address is taken; `existingId` is its subscriber.'),
      },
    }),
    async function createSubscriberHandler(c) {
      const input = c.req.valid('json');
      await requireListsExist(db, input.lists, 'lists');
      const result = await createSubscriber(db, input);
      if (isDuplicate(result)) return c.json(duplicateBody(input.email, result.duplicateOf), 409);
      return c.json(toSubscriberWithListsBody(result), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers',
      tags,
      summary: 'List subscribers in id order, filtered by list, status, address or name, and attributes',
      description: ATTRIBUTE_FILTER_DOC,
      request: { query: ListQuery },
      responses: { 200: jsonContent(pageOf(SubscriberSchema), 'A page of subscribers'), 400: errors[400] },
    }),
    async function listSubscribersHandler(c) {
      const page = await listSubscribers(db, { ...c.req.valid('query'), attributes: attributeFilters(c.req.queries()) });
      return c.json({ data: page.rows.map(toSubscriberBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers/{id}',
      tags,
      summary: 'Get a subscriber with its memberships',
      request: { params: IdParams },
      responses: { 200: jsonContent(SubscriberWithListsSchema, 'The subscriber'), 404: errors[404] },
    }),
    async function getSubscriberHandler(c) {
      const { id } = c.req.valid('param');
      const subscriber = await getSubscriber(db, id);
      if (!subscriber) throw notFound(id);
      return c.json(toSubscriberWithListsBody(subscriber), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/subscribers/{id}',
      tags,
      summary: 'Update a subscriber and its memberships',
      request: { params: IdParams, body: jsonBody(UpdateBody) },
      responses: {
        200: jsonContent(SubscriberWithListsSchema, 'The updated subscriber'),
        400: errors[400],
        404: errors[404],
        409: jsonContent(DuplicateSchema, 'The new address belongs to another subscriber.'),
      },
    }),
    async function updateSubscriberHandler(c) {
      const { id } = c.req.valid('param');
      const { lists, ...patch } = c.req.valid('json');
      const addLists = lists?.add ?? [];
      await requireListsExist(db, addLists, 'lists.add');
      const result = await updateSubscriber(db, id, { ...patch, addLists, removeLists: lists?.remove ?? [] });
      if (!result) throw notFound(id);
      if (isDuplicate(result)) return c.json(duplicateBody(patch.email!, result.duplicateOf), 409);
      return c.json(toSubscriberWithListsBody(result), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/subscribers/{id}',
      tags,
      summary: 'Delete a subscriber, its memberships and its messages',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 404: errors[404] },
    }),
    async function deleteSubscriberHandler(c) {
      const { id } = c.req.valid('param');
      if (!(await deleteSubscriber(db, id))) throw notFound(id);
      return c.body(null, 204);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No subscriber with id ${id}.`);
}
