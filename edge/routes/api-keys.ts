// API keys over the API: `GET/POST /api/api-keys`, `PATCH/DELETE /api/api-keys/{id}` (admins).
// A new key is returned once, in full; afterwards only its first characters are shown.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createApiKey, listApiKeys, renameApiKey, revokeApiKey } from '../../shared/queries/api-keys';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, Timestamp } from '../api-schemas';
import type { AuthEnv, Caller } from '../auth';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const tags = ['API keys'];

const ApiKeySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it.', example: 'ep_Xk3v9Q' }),
    createdAt: Timestamp,
    createdBy: z
      .object({ kind: z.enum(['user', 'apiKey']), id: z.number().int(), name: z.string() })
      .nullable()
      .openapi({ description: 'The user (their name, else their address) or the key that created it; null: the command line, or a user since deleted.' }),
    lastUsedAt: Timestamp.nullable().openapi({ description: 'Updated at most once a minute.' }),
    revokedAt: Timestamp.nullable(),
  })
  .openapi('ApiKey');

const NewApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The key itself, shown only in this answer: keep it now. Send it as `Authorization: Bearer <key>`; it acts as an admin.' }),
}).openapi('NewApiKey');

const ApiKeyName = z.string().trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters').openapi({ example: 'ci' });
const ApiKeyNameBody = z.object({ name: ApiKeyName }).strict();

type ApiKeyRow = Awaited<ReturnType<typeof listApiKeys>>[number];

function toApiKeyBody(key: ApiKeyRow) {
  return { ...key, createdAt: iso(key.createdAt), lastUsedAt: iso(key.lastUsedAt), revokedAt: iso(key.revokedAt) };
}

function creatorOf(caller: Caller | undefined) {
  if (caller?.kind === 'session') return { userId: caller.userId };
  if (caller?.kind === 'apiKey') return { apiKeyId: caller.apiKeyId };
  return null;
}

export function apiKeysRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      tags,
      summary: 'List API keys (never the keys themselves), newest first',
      responses: { 200: jsonContent(z.object({ data: z.array(ApiKeySchema) }), 'Every key, revoked ones included') },
    }),
    async function listApiKeysHandler(c) {
      return c.json({ data: (await listApiKeys(db)).map(toApiKeyBody) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      tags,
      summary: 'Create an API key (shown once)',
      request: { body: jsonBody(ApiKeyNameBody) },
      responses: { 201: jsonContent(NewApiKeySchema, 'The new key, in full, this once'), 400: errors[400] },
    }),
    async function createApiKeyHandler(c) {
      const { name } = c.req.valid('json');
      const { id, key } = await createApiKey(db, name, creatorOf(c.get('caller')));
      const [row] = await listApiKeys(db, id);
      return c.json({ ...toApiKeyBody(row!), key }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api-keys/{id}',
      tags,
      summary: 'Rename an API key',
      request: { params: IdParams, body: jsonBody(ApiKeyNameBody) },
      responses: { 200: jsonContent(ApiKeySchema, 'The key, renamed'), 400: errors[400], 404: errors[404] },
    }),
    async function renameApiKeyHandler(c) {
      const { id } = c.req.valid('param');
      if (!(await renameApiKey(db, id, c.req.valid('json').name))) throw new ApiError(404, 'NOT_FOUND', `No API key with id ${id} (GET /api/api-keys lists them).`);
      const [row] = await listApiKeys(db, id);
      return c.json(toApiKeyBody(row!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      tags,
      summary: 'Revoke an API key: requests with it get 401 from now on',
      request: { params: IdParams },
      responses: { 204: { description: 'Revoked' }, 404: errors[404] },
    }),
    async function revokeApiKeyHandler(c) {
      const { id } = c.req.valid('param');
      if (!(await revokeApiKey(db, id))) throw new ApiError(404, 'NOT_FOUND', `No active API key with id ${id} (GET /api/api-keys lists them).`);
      return c.body(null, 204);
    },
  );

  return app;
}
