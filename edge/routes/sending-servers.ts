// Sending servers: `POST/GET /api/sending-servers`, `GET/PATCH/DELETE /api/sending-servers/{id}`,
// `POST /api/sending-servers/{id}/validate`. Secrets go in sealed and never come back out:
// responses only say which secret fields are set.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { checkDriverSettings, driverNames, driverSettings, type SettingsProblem } from '../../shared/drivers/driver-config';
import { domainRatesSchema, rateSchema } from '../../shared/drivers/rate-limits';
import {
  createSendingServer,
  deleteSendingServer,
  getSendingServer,
  listSendingServers,
  updateSendingServer,
  type SendingServerRow,
} from '../../shared/queries/sending-servers';
import { encryptSecrets } from '../../shared/secret-box';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { openSecrets } from '../open-secrets';
import { validationHook } from '../validation-hook';
import { ConnectionCheckSchema, connectionCheckOf } from './sending-server-checks';
import { secretKeysOf } from '../../shared/keyring';

const tags = ['Sending servers'];

const Driver = z.enum(driverNames).openapi({
  description: driverNames.map((d) => `\`${d}\`: ${driverSettings[d].description}`).join(' '),
});
const Name = z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters');
const Settings = z.record(z.string(), z.unknown());
// Requests take the forms of shared/drivers/rate-limits.ts ("50/s" or { count, per }), the
// same schemas the sender parses with; responses always give the structured form.
const RateOutput = z
  .object({ count: z.number().int(), per: z.enum(['second', 'minute', 'hour', 'day']) })
  .openapi('Rate', { description: 'At most `count` messages in any window of one `per`.' });

// The generator would describe only the parsed object: say both forms a request may use.
// (.openapi only on schemas made here: zod gives it to instances created after the import.)
const rateForms = [{ type: 'string', pattern: '^\\s*\\d+\\s*/\\s*[a-zA-Z]+\\s*$', example: '50/s' }, { $ref: '#/components/schemas/Rate' }] as const;
const RATE_FORMS = '"50/s", "1000/min", "5000/hour", "10000/day" or `{ count, per }`';
const RateInput = rateSchema.nullable().openapi({ type: ['string', 'object', 'null'] as const, anyOf: [...rateForms, { type: 'null' as const }] });
const domainRatesForms = { additionalProperties: { anyOf: [...rateForms] } };

const SendingServerSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    driver: z.string(),
    config: Settings,
    secretsSet: z.array(z.string()).openapi({ description: 'Names of the secret fields that are set; their values are never returned.' }),
    secretsProblem: z.string().nullable().openapi({ description: 'Why the stored secrets cannot be read (e.g. SECRET_KEY changed); null when they can.' }),
    rate: z.union([RateOutput, z.null()]).openapi({ description: "The server's rate; null: unthrottled." }),
    domainRates: z.record(z.string(), RateOutput).openapi({ description: 'Rates per recipient domain (lower case).' }),
    isDefault: z.boolean(),
    connectionCheck: ConnectionCheckSchema,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('SendingServer');

const CreateBody = z
  .object({
    name: Name,
    driver: Driver,
    config: Settings.default({}).openapi({ description: "The driver's settings, validated by its schema." }),
    secrets: Settings.optional().openapi({ description: 'Credentials (e.g. smtp `user` and `pass`); stored encrypted.' }),
    rate: RateInput.default(null).openapi({ description: `The server's rate across every sender container: ${RATE_FORMS}; null (the default): unthrottled.` }),
    domainRates: domainRatesSchema.default({}).openapi({ ...domainRatesForms, description: `Rates per recipient domain, e.g. \`{ "gmail.com": "20/min" }\`, each written as ${RATE_FORMS}.` }),
    isDefault: z.boolean().default(false).openapi({ description: 'Make this the default server (the first server always is).' }),
  })
  .strict();

const UpdateBody = z
  .object({
    name: Name.optional(),
    driver: Driver.optional().openapi({ description: 'Changing the driver replaces config and secrets with the ones sent.' }),
    config: Settings.optional().openapi({ description: 'Merged into the saved config; a null value removes a field.' }),
    secrets: Settings.nullable().optional().openapi({ description: 'Merged into the saved secrets; a null value removes a field; null clears them all.' }),
    rate: RateInput.optional().openapi({ description: `The server's rate: ${RATE_FORMS}; null: unthrottled.` }),
    domainRates: domainRatesSchema.optional().openapi({ ...domainRatesForms, description: 'Replaces the whole map of domain rates (written as on create); `{}` removes them all.' }),
    isDefault: z
      .literal(true, { error: 'isDefault can only be set to true: to move the default, set it on another server' })
      .optional().openapi({ description: 'Make this the default server (to change the default, set it on another server).' }),
  })
  .strict();

/** Merges `patch` into `base`: a null value removes the field (as in a JSON merge patch). */
function mergeFields(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export function sendingServersRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db, keys } = deps;
  // Registered before the routes so the component is the plain object, not its nullable use.
  app.openAPIRegistry.register('Rate', RateOutput);

  const readSecrets = (row: SendingServerRow) => openSecrets(secretKeysOf(deps.keyring), row.secrets);

  async function toServerBody(row: SendingServerRow) {
    const { values, problem } = await readSecrets(row);
    const { secrets: _sealed, checkRequestedAt: _asked, checkedAt: _checked, checkProblems: _problems, ...rest } = row;
    return {
      ...rest,
      connectionCheck: connectionCheckOf(row),
      secretsSet: Object.keys(values).sort(),
      secretsProblem: problem,
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    };
  }

  /** Validates settings with the driver's schema and seals the secrets, or throws a 400 naming each field. */
  async function prepareSettings(driver: string, config: unknown, secrets: unknown) {
    const checked = checkDriverSettings(driver, config, secrets);
    if (!checked.ok) throw invalidSettings(checked.problems);
    const sealed = Object.keys(checked.secrets).length > 0 ? await encryptSecrets(keys.secrets, checked.secrets) : null;
    return { config: checked.config, secrets: sealed };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/sending-servers',
      tags,
      summary: 'Add a sending server (a relay and its credentials)',
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(SendingServerSchema, 'The new server'), 400: errors[400] },
    }),
    async function createSendingServerHandler(c) {
      const input = c.req.valid('json');
      const settings = await prepareSettings(input.driver, input.config, input.secrets);
      const row = await createSendingServer(db, { ...input, ...settings });
      return c.json(await toServerBody(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sending-servers',
      tags,
      summary: 'List sending servers',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(SendingServerSchema), 'A page of servers, in id order'), 400: errors[400] },
    }),
    async function listSendingServersHandler(c) {
      const page = await listSendingServers(db, c.req.valid('query'));
      return c.json({ data: await Promise.all(page.rows.map(toServerBody)), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sending-servers/{id}',
      tags,
      summary: 'Get a sending server',
      request: { params: IdParams },
      responses: { 200: jsonContent(SendingServerSchema, 'The server'), 404: errors[404] },
    }),
    async function getSendingServerHandler(c) {
      const { id } = c.req.valid('param');
      return c.json(await toServerBody(await requireServer(id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/sending-servers/{id}',
      tags,
      summary: 'Update a sending server',
      request: { params: IdParams, body: jsonBody(UpdateBody) },
      responses: { 200: jsonContent(SendingServerSchema, 'The updated server'), 400: errors[400], 404: errors[404] },
    }),
    async function updateSendingServerHandler(c) {
      const { id } = c.req.valid('param');
      const { isDefault, config, secrets, ...patch } = c.req.valid('json');
      const current = await requireServer(id);
      const driverChanges = patch.driver !== undefined && patch.driver !== current.driver;
      let settings: { config?: Record<string, unknown>; secrets?: string | null } = {};
      if (driverChanges || config !== undefined || secrets !== undefined) {
        const saved = driverChanges ? {} : (await readSecrets(current)).values;
        settings = await prepareSettings(
          patch.driver ?? current.driver,
          driverChanges ? (config ?? {}) : mergeFields(current.config, config ?? {}),
          secrets === null ? {} : mergeFields(saved, secrets ?? {}),
        );
      }
      const row = await updateSendingServer(db, id, { ...patch, ...settings, makeDefault: isDefault === true });
      if (!row) throw notFound(id);
      return c.json(await toServerBody(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/sending-servers/{id}',
      tags,
      summary: 'Delete a sending server (another becomes the default if needed)',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 404: errors[404], 409: errors[409] },
    }),
    async function deleteSendingServerHandler(c) {
      const { id } = c.req.valid('param');
      const result = await deleteSendingServer(db, id);
      if (!result) throw notFound(id);
      if (!result.deleted) throw new ApiError(409, 'CONFLICT', `Sending server ${id} cannot be deleted: ${result.reason}.`);
      return c.body(null, 204);
    },
  );

  async function requireServer(id: number): Promise<SendingServerRow> {
    const row = await getSendingServer(db, id);
    if (!row) throw notFound(id);
    return row;
  }

  return app;
}

function invalidSettings(problems: SettingsProblem[]) {
  const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return new ApiError(400, 'VALIDATION', `Invalid sending server settings: ${summary}`, problems);
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No sending server with id ${id}.`);
}
