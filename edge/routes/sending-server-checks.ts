// `POST /api/sending-servers/{id}/validate`: the settings against the driver's schema, then
// a live check by a sender container (the driver's own validateConfig: credentials and
// settings tried on the relay, no mail sent). The edge cannot reach relays itself, so it
// asks through the database and waits a little for the answer.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { checkDriverSettings } from '../../shared/drivers/driver-config';
import { getSendingServer, type SendingServerRow } from '../../shared/queries/sending-servers';
import { requestServerCheck } from '../../shared/queries/server-checks';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonContent, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { openSecrets } from '../open-secrets';
import { validationHook } from '../validation-hook';
import { secretKeysOf } from '../../shared/keyring';

const Problem = z.object({ path: z.string(), message: z.string() });

export const ConnectionCheckSchema = z
  .object({
    status: z.enum(['never', 'pending', 'ok', 'failed']).openapi({ description: '`pending`: asked, no sender container has answered yet.' }),
    checkedAt: Timestamp.nullable(),
    problems: z.array(Problem),
  })
  .openapi('ConnectionCheck');

export type ConnectionCheck = z.infer<typeof ConnectionCheckSchema>;

/** The last live check of a server, as the API shows it. */
export function connectionCheckOf(row: SendingServerRow): ConnectionCheck {
  const problems = row.checkProblems ?? [];
  const checkedAt = row.checkedAt === null ? null : iso(row.checkedAt);
  if (row.checkRequestedAt !== null) return { status: 'pending', checkedAt, problems };
  if (row.checkedAt === null) return { status: 'never', checkedAt, problems };
  return { status: problems.length === 0 ? 'ok' : 'failed', checkedAt, problems };
}

const ValidationSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'The settings pass the schema and the relay accepted them.' }),
    problems: z.array(Problem).openapi({ description: 'What to fix: schema problems, or what the relay said.' }),
    connection: ConnectionCheckSchema,
  })
  .openapi('SendingServerValidation');

const WaitQuery = z.object({
  wait: z.coerce
    .number('wait must be a number of seconds')
    .min(0, 'wait must be 0-25 seconds')
    .max(25, 'wait must be 0-25 seconds')
    .default(10)
    .openapi({ description: 'Seconds to wait for a sender container to run the live check (default 10; 0 answers at once).' }),
});

const POLL_MS = 200;

export function sendingServerChecksRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  async function requireServer(id: number): Promise<SendingServerRow> {
    const row = await getSendingServer(db, id);
    if (!row) throw new ApiError(404, 'NOT_FOUND', `No sending server with id ${id}.`);
    return row;
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/sending-servers/{id}/validate',
      tags: ['Sending servers'],
      summary: "Check the saved settings: the driver's schema, then the relay itself (no mail is sent)",
      request: { params: IdParams, query: WaitQuery },
      responses: { 200: jsonContent(ValidationSchema, 'Whether the server can send, and what to fix'), 400: errors[400], 404: errors[404] },
    }),
    async function validateSendingServerHandler(c) {
      const { id } = c.req.valid('param');
      const { wait } = c.req.valid('query');
      const row = await requireServer(id);
      const { values, problem } = await openSecrets(secretKeysOf(deps.keyring), row.secrets);
      const checked = checkDriverSettings(row.driver, row.config, values);
      const problems = [...(problem ? [{ path: 'secrets', message: problem }] : []), ...(checked.ok ? [] : checked.problems)];
      // Settings the schema refuses are not worth a trip to the relay.
      if (problems.length > 0) return c.json({ ok: false, problems, connection: connectionCheckOf(row) }, 200);

      const askedAt = await requestServerCheck(db, id);
      const answered = (row: SendingServerRow) => row.checkedAt !== null && row.checkedAt >= askedAt;
      let current = await requireServer(id);
      for (const deadline = Date.now() + wait * 1000; !answered(current) && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        current = await requireServer(id);
      }
      if (!answered(current)) {
        return c.json({ ok: false, problems: [], connection: { ...connectionCheckOf(current), status: 'pending' as const } }, 200);
      }
      const connection = connectionCheckOf(current);
      return c.json({ ok: connection.status === 'ok', problems: connection.problems, connection }, 200);
    },
  );

  return app;
}
