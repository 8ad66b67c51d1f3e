// Dashboard users: `GET/POST /api/users`, `PATCH/DELETE /api/users/{id}` (admins; only an
// owner may create, change or remove an owner, and the last enabled owner stays), and
// `POST /api/users/me/password` (any signed-in user, for themselves).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { UserRole } from '../../shared/db/schema';
import { hashPassword, passwordProblem, verifyPassword } from '../../shared/passwords';
import { attemptKeys, lockedUntil, recordFailure } from '../../shared/queries/sign-in-attempts';
import { changeOwnPassword, createUser, deleteUser, getPasswordHash, getUser, listUsers, updateUser } from '../../shared/queries/users';
import { ApiError } from '../api-error';
import { ErrorSchema, errors, IdParams, jsonBody, jsonContent, PageQuery, pageOf } from '../api-schemas';
import { forbidden, type AuthEnv } from '../auth';
import { clientAddress, clientNetwork } from '../client-address';
import type { AppDeps } from '../deps';
import { mayManageRole } from '../permissions';
import { validationHook } from '../validation-hook';
import { lockedOut, sessionOf } from './session';
import { Password, Role, toUserBody, UserName, UserSchema, withPasswordRules } from './user-schemas';
import { Email } from '../../shared/subscriber-fields';

const tags = ['Users'];

const forbiddenContent = { description: 'Only an owner may do this to an owner', content: { 'application/json': { schema: ErrorSchema } } };

const CreateUserBody = withPasswordRules(z.object({ email: Email, name: UserName.default(''), role: Role, password: Password }).strict());

const UpdateUserBody = z
  .object({
    name: UserName.optional(),
    role: Role.optional(),
    disabled: z.boolean().optional().openapi({ description: 'true signs the user out everywhere and keeps them out; false lets them in again.' }),
    password: Password.optional().openapi({ description: 'A new password, for a user who lost theirs; it signs them out everywhere.' }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one of name, role, disabled, password');

const ChangePasswordBody = z.object({ currentPassword: z.string().max(1000), newPassword: Password }).strict();

/** Refuses when the caller may not act on a user of role `target` (only owners touch owners). */
function requireMayManage(c: Context<AuthEnv>, target: UserRole, action: string): void {
  const actor = c.get('caller')!.role;
  if (!mayManageRole(actor, target)) throw forbidden(`Only an owner may ${action} an owner; your role is ${actor}.`);
}

export function usersRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags,
      summary: 'List dashboard users',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(UserSchema), 'A page of users, in id order'), 400: errors[400] },
    }),
    async function listUsersHandler(c) {
      const page = await listUsers(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toUserBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags,
      summary: 'Add a dashboard user with a first password',
      request: { body: jsonBody(CreateUserBody) },
      responses: { 201: jsonContent(UserSchema, 'The new user'), 400: errors[400], 403: forbiddenContent, 409: errors[409] },
    }),
    async function createUserHandler(c) {
      const input = c.req.valid('json');
      requireMayManage(c, input.role, 'create');
      const user = await createUser(db, { email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(input.password) });
      if (!user) throw new ApiError(409, 'CONFLICT', `${input.email} already has an account; change it with PATCH /api/users/{id}.`);
      return c.json(toUserBody(user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      tags,
      summary: "Rename a user, change their role, disable or enable them, or set their password",
      request: { params: IdParams, body: jsonBody(UpdateUserBody) },
      responses: { 200: jsonContent(UserSchema, 'The updated user'), 400: errors[400], 403: forbiddenContent, 404: errors[404], 409: errors[409] },
    }),
    async function updateUserHandler(c) {
      const { id } = c.req.valid('param');
      const { password, ...changes } = c.req.valid('json');
      const target = await getUser(db, id);
      if (!target) throw notFound(id);
      requireMayManage(c, target.role, 'change');
      if (changes.role) requireMayManage(c, changes.role, 'make someone');
      const problem = password === undefined ? null : passwordProblem(password, target.email);
      if (problem) throw new ApiError(400, 'VALIDATION', `Invalid request body: password: ${problem}`, [{ path: 'password', message: problem }]);
      const result = await updateUser(db, id, { ...changes, ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}) });
      if ('error' in result) throw result.error === 'not-found' ? notFound(id) : lastOwner();
      return c.json(toUserBody(result.user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/users/{id}',
      tags,
      summary: 'Remove a user and end their sessions',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 403: forbiddenContent, 404: errors[404], 409: errors[409] },
    }),
    async function deleteUserHandler(c) {
      const { id } = c.req.valid('param');
      const target = await getUser(db, id);
      if (!target) throw notFound(id);
      requireMayManage(c, target.role, 'remove');
      const result = await deleteUser(db, id);
      if (result === 'not-found') throw notFound(id);
      if (result === 'last-owner') throw lastOwner();
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/me/password',
      tags,
      summary: 'Change your own password (signs out your other sessions)',
      request: { body: jsonBody(ChangePasswordBody) },
      responses: {
        204: { description: 'Changed' },
        400: errors[400],
        429: { description: 'Too many wrong passwords; try again after Retry-After seconds', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async function changePasswordHandler(c) {
      const caller = sessionOf(c);
      const { currentPassword, newPassword } = c.req.valid('json');
      const problem = passwordProblem(newPassword, caller.email);
      if (problem) throw new ApiError(400, 'VALIDATION', `Invalid request body: newPassword: ${problem}`, [{ path: 'newPassword', message: problem }]);
      // A stolen session must not become a way to guess the password: same limits as signing in.
      const keys = await attemptKeys(caller.email, clientNetwork(clientAddress(c)));
      const until = await lockedUntil(db, [keys.address, keys.network]);
      if (until !== null) return lockedOut(c, until, 'Too many wrong passwords');
      const stored = await getPasswordHash(db, caller.userId);
      if (!stored || !(await verifyPassword(currentPassword, stored)).ok) {
        await recordFailure(db, [keys.address, keys.network]);
        throw new ApiError(400, 'VALIDATION', 'currentPassword is not your current password.', [{ path: 'currentPassword', message: 'is not your current password' }]);
      }
      await changeOwnPassword(db, caller.userId, await hashPassword(newPassword), caller.sessionId);
      return c.body(null, 204);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No user with id ${id}.`);
}

function lastOwner() {
  return new ApiError(409, 'CONFLICT', 'This is the last enabled owner: make another user an owner first, so someone can still manage Edgepost.');
}
