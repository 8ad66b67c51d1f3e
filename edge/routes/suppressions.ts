// The suppression list: `GET/POST /api/suppressions`, `DELETE /api/suppressions/{email}`.
// Relay webhooks and the bounce inbox add to it (hard bounce, complaint, unsubscribe,
// repeated soft bounces); the marketer adds addresses by hand and lifts suppressions here.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { suppressionReasons } from '../../shared/db/schema';
import { addManualSuppressions, deleteSuppression, listSuppressions, type SuppressionRow } from '../../shared/queries/suppressions';
import { ApiError } from '../api-error';
import { errors, iso, jsonBody, jsonContent, PageLimit, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const tags = ['Suppressions'];

/** How many addresses one POST may suppress: one statement, and a body well under a megabyte. */
export const MAX_SUPPRESSIONS_PER_CALL = 10_000;

// The same normalisation as subscribers' addresses, so a suppression matches the subscriber.
const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'an address must be at most 254 characters')
  .pipe(z.email('must be an address like name@example.com'))
  .openapi({ type: 'string', format: 'email', description: 'Stored trimmed and lower-cased.', example: 'ada@example.com' });
const Reason = z.enum(suppressionReasons).openapi({
  description: '`hard_bounce`, `complaint`, `unsubscribe` (a relay reported it for mail that is not ours): from the feedback loop; `soft_bounce`: too many soft bounces (see /api/settings); `manual`: added here.',
});

const SuppressionSchema = z
  .object({
    email: z.string(),
    reason: Reason,
    detail: z.string().nullable().openapi({ description: 'The bounce diagnostic, the rule that fired, or the note given by hand.' }),
    eventKey: z.string().nullable().openapi({ description: 'The delivery event that caused it; null for manual ones.' }),
    createdAt: Timestamp,
  })
  .openapi('Suppression');

const ListQuery = z.object({
  cursor: z.string().min(1).max(254).optional().openapi({ description: 'The `nextCursor` of the previous page; omit for the first page.' }),
  limit: PageLimit,
  reason: Reason.optional(),
  search: z.string().trim().toLowerCase().min(1).max(254).optional().openapi({ description: 'The start of the address, case-insensitive, e.g. `ann` or `ann@exa`.' }),
});

const AddBody = z
  .object({
    email: Email.optional().openapi({ description: 'One address; or use `emails`.' }),
    emails: z
      .array(Email)
      .min(1, 'emails must hold at least one address')
      .max(MAX_SUPPRESSIONS_PER_CALL, `at most ${MAX_SUPPRESSIONS_PER_CALL} addresses per call; send the rest in another`)
      .optional()
      .openapi({ description: `Up to ${MAX_SUPPRESSIONS_PER_CALL} addresses.` }),
    detail: z.string().trim().max(500, 'detail must be at most 500 characters').optional().openapi({ description: 'A note for later, e.g. "asked by phone".' }),
  })
  .strict()
  .refine((b) => (b.email === undefined) !== (b.emails === undefined), { message: 'give email or emails (exactly one of them)', path: ['email'] });

const AddResult = z
  .object({
    added: z.number().int().openapi({ description: 'Addresses suppressed now.' }),
    alreadySuppressed: z.number().int().openapi({ description: 'Addresses that already were (they keep their reason).' }),
  })
  .openapi('SuppressionsAdded');

const EmailParams = z.object({ email: Email.openapi({ param: { name: 'email', in: 'path' }, example: 'ada@example.com' }) });

function toBody(row: SuppressionRow) {
  return { ...row, createdAt: iso(row.createdAt) };
}

export function suppressionsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/suppressions',
      tags,
      summary: 'List suppressed addresses in address order, by reason or address prefix',
      request: { query: ListQuery },
      responses: {
        200: jsonContent(
          z.object({ data: z.array(SuppressionSchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last one.' }) }),
          'A page of suppressions',
        ),
        400: errors[400],
      },
    }),
    async function listSuppressionsHandler(c) {
      const page = await listSuppressions(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/suppressions',
      tags,
      summary: `Suppress addresses by hand (reason \`manual\`), one or up to ${MAX_SUPPRESSIONS_PER_CALL} per call`,
      request: { body: jsonBody(AddBody) },
      responses: { 200: jsonContent(AddResult, 'What changed'), 400: errors[400] },
    }),
    async function addSuppressionsHandler(c) {
      const { email, emails, detail } = c.req.valid('json');
      return c.json(await addManualSuppressions(db, emails ?? [email!], detail || null), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/suppressions/{email}',
      tags,
      summary: 'Lift the suppression of an address, so it can be mailed again',
      request: { params: EmailParams },
      responses: { 204: { description: 'Lifted' }, 400: errors[400], 404: errors[404] },
    }),
    async function deleteSuppressionHandler(c) {
      // The lift is noted: a relay redelivering the old event that caused it does not
      // suppress the address again; a new bounce or complaint after the lift does.
      const { email } = c.req.valid('param');
      if (!(await deleteSuppression(db, email))) throw new ApiError(404, 'NOT_FOUND', `${email} is not on the suppression list.`);
      return c.body(null, 204);
    },
  );

  return app;
}
