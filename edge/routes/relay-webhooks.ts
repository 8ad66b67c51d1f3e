// Relay webhook sources: `POST/GET /api/relay-webhooks`, `GET/PATCH/DELETE /api/relay-webhooks/{id}`.
// A source holds what `POST /hooks/:provider` checks a relay's requests against; its
// settings are validated by the provider module's own schemas, its secrets sealed at rest
// and never returned. Every change empties this isolate's source cache at once.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { isWebhookProvider, webhookProviders, type WebhookProvider } from '../../shared/feedback/delivery-event';
import {
  createRelayWebhook,
  deleteRelayWebhook,
  getRelayWebhook,
  listRelayWebhooks,
  updateRelayWebhook,
  type RelayWebhookPatch,
  type RelayWebhookRow,
} from '../../shared/queries/relay-webhooks';
import { encryptSecrets } from '../../shared/secret-box';
import { relayWebhookModules } from '../../shared/webhooks/relay-webhook-modules';
import { ApiError, type ErrorDetail } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { openSecrets } from '../open-secrets';
import { validationHook } from '../validation-hook';
import type { WebhookSourceCache } from '../webhook-source-cache';
import { secretKeysOf } from '../../shared/keyring';

const tags = ['Relay webhooks'];

/** The webhook URL a marketer pastes into the relay's console; Elastic Email carries its token in the query, which the marketer appends. */
export function hookUrl(publicUrl: string, provider: WebhookProvider): string {
  return `${publicUrl}/hooks/${provider}${provider === 'elasticemail' ? '?token=' : ''}`;
}

const Provider = z.enum(webhookProviders).openapi({
  description: webhookProviders.map((p) => `\`${p}\`: ${relayWebhookModules[p].settings.description}`).join(' '),
});
const Name = z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters');
const Settings = z.record(z.string(), z.unknown());

const RelayWebhookSchema = z
  .object({
    id: z.number().int(),
    provider: Provider,
    name: z.string(),
    config: Settings,
    secretsSet: z.array(z.string()).openapi({ description: 'Names of the secret fields that are set; their values are never returned.' }),
    secretsProblem: z.string().nullable().openapi({ description: 'Why the stored secrets cannot be read (e.g. SECRET_KEY changed); null when they can.' }),
    url: z.string().openapi({
      description: "The URL to paste into the relay's console. Elastic Email's ends in `?token=`: append the token you saved (it is never shown here).",
      example: 'https://edge.example.com/hooks/mailgun',
    }),
    lastReceivedAt: Timestamp.nullable().openapi({ description: 'When the relay last reached us through this source (updated at most once a minute); null: never.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('RelayWebhook');

const CreateBody = z
  .object({
    provider: Provider,
    name: Name,
    config: Settings.default({}).openapi({ description: "The provider's settings (see `provider`), validated by its schema." }),
    secrets: Settings.default({}).openapi({ description: 'Signing key, password or token; stored encrypted, never returned.' }),
  })
  .strict();

const UpdateBody = z
  .object({
    name: Name.optional(),
    config: Settings.optional().openapi({ description: 'Replaces the whole config.' }),
    secrets: Settings.optional().openapi({ description: 'Replaces the whole secrets object; left as saved when absent.' }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one of name, config, secrets');

const ListQuery = PageQuery.extend({ provider: z.enum(webhookProviders).optional().openapi({ description: 'Only sources of this relay.' }) });

/** Parses one part of a source's settings with the module's schema, naming problems by path (`config.topicArns.0`). */
function checkPart(part: 'config' | 'secrets', schema: z.ZodType<Record<string, unknown>>, value: unknown) {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { data: parsed.data, problems: [] as ErrorDetail[] };
  const problems = parsed.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown setting(s) ${issue.keys.join(', ')}` : issue.message,
  }));
  return { data: undefined, problems };
}

function invalidSettings(provider: string, problems: ErrorDetail[]) {
  const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return new ApiError(400, 'VALIDATION', `Invalid ${provider} webhook settings: ${summary}`, problems);
}

export function relayWebhooksRoutes(deps: AppDeps, cache: WebhookSourceCache) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db, keys, publicUrl } = deps;

  async function toBody(row: RelayWebhookRow) {
    const { values, problem } = await openSecrets(secretKeysOf(deps.keyring), row.secrets);
    const { secrets: _sealed, ...rest } = row;
    return {
      ...rest,
      provider: row.provider as WebhookProvider,
      secretsSet: Object.keys(values).sort(),
      secretsProblem: problem,
      url: hookUrl(publicUrl, row.provider as WebhookProvider),
      lastReceivedAt: iso(row.lastReceivedAt),
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    };
  }

  /** Validates the parts given with the provider's schemas and seals the secrets, or throws a 400 naming each field. */
  async function prepareSettings(provider: WebhookProvider, input: { config?: unknown; secrets?: unknown }) {
    const { settings } = relayWebhookModules[provider];
    const config = input.config === undefined ? undefined : checkPart('config', settings.config, input.config);
    const secrets = input.secrets === undefined ? undefined : checkPart('secrets', settings.secrets, input.secrets);
    const problems = [...(config?.problems ?? []), ...(secrets?.problems ?? [])];
    if (problems.length > 0) throw invalidSettings(provider, problems);
    const prepared: Pick<RelayWebhookPatch, 'config' | 'secrets'> = {};
    if (config) prepared.config = config.data;
    if (secrets) prepared.secrets = Object.keys(secrets.data!).length > 0 ? await encryptSecrets(keys.secrets, secrets.data!) : null;
    return prepared;
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/relay-webhooks',
      tags,
      summary: "Save where a relay's webhooks are verified from (answers with the URL to paste into its console)",
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(RelayWebhookSchema, 'The new source'), 400: errors[400] },
    }),
    async function createRelayWebhookHandler(c) {
      const { provider, name, config, secrets } = c.req.valid('json');
      const settings = await prepareSettings(provider, { config, secrets });
      const row = await createRelayWebhook(db, { provider, name, config: settings.config!, secrets: settings.secrets ?? null });
      cache.invalidate();
      return c.json(await toBody(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/relay-webhooks',
      tags,
      summary: 'List relay webhook sources',
      request: { query: ListQuery },
      responses: { 200: jsonContent(pageOf(RelayWebhookSchema), 'A page of sources, in id order'), 400: errors[400] },
    }),
    async function listRelayWebhooksHandler(c) {
      const page = await listRelayWebhooks(db, c.req.valid('query'));
      return c.json({ data: await Promise.all(page.rows.map(toBody)), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/relay-webhooks/{id}',
      tags,
      summary: 'Get a relay webhook source',
      request: { params: IdParams },
      responses: { 200: jsonContent(RelayWebhookSchema, 'The source'), 404: errors[404] },
    }),
    async function getRelayWebhookHandler(c) {
      const { id } = c.req.valid('param');
      return c.json(await toBody(await requireSource(id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/relay-webhooks/{id}',
      tags,
      summary: 'Rename a relay webhook source or replace its config or secrets',
      request: { params: IdParams, body: jsonBody(UpdateBody) },
      responses: { 200: jsonContent(RelayWebhookSchema, 'The updated source'), 400: errors[400], 404: errors[404], 409: errors[409] },
    }),
    async function updateRelayWebhookHandler(c) {
      const { id } = c.req.valid('param');
      const { name, config, secrets } = c.req.valid('json');
      const current = await requireSource(id);
      if (!isWebhookProvider(current.provider)) {
        throw new ApiError(409, 'CONFLICT', `Relay webhook ${id} is for "${current.provider}", which is no longer supported; delete it.`);
      }
      const settings = await prepareSettings(current.provider, { config, secrets });
      const row = await updateRelayWebhook(db, id, { ...(name === undefined ? {} : { name }), ...settings });
      cache.invalidate();
      if (!row) throw notFound(id);
      return c.json(await toBody(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/relay-webhooks/{id}',
      tags,
      summary: "Delete a relay webhook source (the relay's requests it verified are refused from now on)",
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 404: errors[404] },
    }),
    async function deleteRelayWebhookHandler(c) {
      const { id } = c.req.valid('param');
      const deleted = await deleteRelayWebhook(db, id);
      cache.invalidate();
      if (!deleted) throw notFound(id);
      return c.body(null, 204);
    },
  );

  async function requireSource(id: number): Promise<RelayWebhookRow> {
    const row = await getRelayWebhook(db, id);
    if (!row) throw notFound(id);
    return row;
  }

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No relay webhook source with id ${id}.`);
}
