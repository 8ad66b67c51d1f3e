// First run: `GET /api/setup` says whether the install still needs its owner, and
// `POST /api/setup` creates that owner and signs them in. Both are public, and the POST
// works only while no user exists: the insert itself checks that, so of two racing setups
// exactly one creates an owner. Once someone has set up, a locked-out install gets a new
// owner from the command line instead (`npm run cli -- user create --role owner`).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { hashPassword } from '../../shared/passwords';
import { createFirstOwner, noUsersYet } from '../../shared/queries/users';
import { ApiError } from '../api-error';
import { errors, jsonBody, jsonContent } from '../api-schemas';
import type { AuthEnv } from '../auth';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { startSession } from './session';
import { Password, SessionSchema, UserName, withPasswordRules } from './user-schemas';
import { Email } from '../../shared/subscriber-fields';

const tags = ['Session'];

const SetupStatus = z
  .object({ needed: z.boolean().openapi({ description: 'True while no user exists: POST /api/setup creates the owner.' }) })
  .openapi('SetupStatus');

const SetupBody = withPasswordRules(z.object({ email: Email, name: UserName.default(''), password: Password }).strict());

export function setupRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/setup',
      tags,
      summary: 'Whether the first-run setup is still open',
      security: [],
      responses: { 200: jsonContent(SetupStatus, 'Whether an owner must still be created') },
    }),
    async function setupStatusHandler(c) {
      return c.json({ needed: await noUsersYet(db) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/setup',
      tags,
      summary: 'Create the owner on first run, and sign them in',
      security: [],
      request: { body: jsonBody(SetupBody) },
      responses: { 201: jsonContent(SessionSchema, 'The owner, signed in; the cookie is set'), 400: errors[400], 409: errors[409] },
    }),
    async function setupHandler(c) {
      const input = c.req.valid('json');
      // Checked first only to spare a slow hash; the insert below is what decides.
      if (!(await noUsersYet(db))) throw alreadySetUp();
      const owner = await createFirstOwner(db, { email: input.email, name: input.name, passwordHash: await hashPassword(input.password) });
      if (!owner) throw alreadySetUp();
      return c.json(await startSession(c, db, deps.publicUrl, owner), 201);
    },
  );

  return app;
}

function alreadySetUp() {
  return new ApiError(409, 'CONFLICT', 'Edgepost is already set up: sign in (POST /api/session), or ask an owner for an account.');
}
