// Dashboard sign-in: `POST /api/session` (email and password), `GET /api/session` (who is
// signed in, and the CSRF token), `DELETE /api/session` (sign out).
// A wrong address and a wrong password get the same answer after the same work (a dummy
// hash for unknown addresses), so the answer does not tell who has an account. Failures
// count per address and per client network; a locked key is refused before any hashing. A
// browser that has signed in to the account before (its device cookie) counts against
// itself alone: a stranger failing on purpose cannot lock the owner out.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Database } from '../../shared/db/database';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyNoPassword, verifyPassword } from '../../shared/passwords';
import { createSession, deleteDeadSessions, deleteSession } from '../../shared/queries/sessions';
import { attemptKeys, clearFailures, deviceKey, lockedUntil, recordFailure, type AttemptKey } from '../../shared/queries/sign-in-attempts';
import { deviceOf, rememberDevice } from '../../shared/queries/sign-in-devices';
import { findUserByEmail, recordSignIn } from '../../shared/queries/users';
import { ApiError, errorBody } from '../api-error';
import { ErrorSchema, iso, jsonBody, jsonContent } from '../api-schemas';
import { forbidden, type AuthEnv, type Caller } from '../auth';
import { clientAddress, clientNetwork } from '../client-address';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { clearSessionCookie, csrfToken, readDeviceToken, setDeviceCookie, setSessionCookie } from '../session-cookie';
import { SessionSchema } from './user-schemas';
import { createWorkGate } from '../work-gate';

const tags = ['Session'];

const errorContent = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

const SignInBody = z
  .object({
    email: z.string().max(254, 'email must be at most 254 characters').openapi({ example: 'ann@example.com' }),
    password: z.string().max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`),
  })
  .strict();

/** The 429 for a locked rate-limit key, with Retry-After. */
export function lockedOut(c: Context, until: number, what: string, otherwise?: string) {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  const message = `${what}: try again in ${Math.ceil(seconds / 60)} minute(s)${otherwise ? `, ${otherwise}` : ''}.`;
  return c.json(errorBody('RATE_LIMITED', message), 429, { 'Retry-After': String(seconds) });
}

/**
 * Starts a session for a user who just proved who they are: sets the cookie (and, unless the
 * browser is already a device of theirs, the device cookie after it), returns the session body.
 */
export async function startSession(c: Context, db: Database, publicUrl: string, user: { id: number; email: string; name: string; role: Caller['role'] }, rememberBrowser = true) {
  const session = await createSession(db, user.id, c.req.header('user-agent'));
  setSessionCookie(c, publicUrl, session.token, session.expiresAt);
  if (rememberBrowser) {
    const device = await rememberDevice(db, user.id, readDeviceToken(c, publicUrl));
    setDeviceCookie(c, publicUrl, device.token, device.expiresAt);
  }
  c.executionCtx.waitUntil(deleteDeadSessions(db));
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    csrfToken: await csrfToken(session.token),
    expiresAt: iso(session.expiresAt),
  };
}

/** Sign-in hashes running at once, and waiting, per process (see edge/work-gate.ts). */
const SIGN_IN_HASHES = { concurrent: 2, queued: 32 };

export function sessionRoutes(deps: AppDeps) {
  const hashing = createWorkGate(SIGN_IN_HASHES.concurrent, SIGN_IN_HASHES.queued);
  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      tags,
      summary: 'Sign in to the dashboard',
      description:
        'Sets the session cookie, and a device cookie for the browser. Five wrong passwords for one address (or twenty from one network) in 15 minutes lock it for 15 minutes; a browser that has signed in to the account before counts against itself alone, so a lock set by others does not stop it.',
      security: [],
      request: { body: jsonBody(SignInBody) },
      responses: {
        200: jsonContent(SessionSchema, 'Signed in; the cookie is set'),
        400: errorContent('Invalid input'),
        401: errorContent('Wrong email or password'),
        403: errorContent('The account is disabled'),
        429: errorContent('Too many failed sign-ins; try again after Retry-After seconds'),
        503: errorContent('Too many sign-ins at this moment; try again after Retry-After seconds'),
      },
    }),
    async function signInHandler(c) {
      const { email, password } = c.req.valid('json');
      const deviceToken = readDeviceToken(c, deps.publicUrl);
      const { address, network } = await attemptKeys(email, clientNetwork(clientAddress(c)));
      // The device lookup, the lockout check, the hash and the failure count run inside the
      // gate: parallel guesses are counted one after another instead of all passing the check
      // at once, and a flood beyond the gate costs no database read.
      const outcome = await hashing.run(async () => {
        const device = deviceToken ? await deviceOf(db, deviceToken, email) : null;
        // The key the account's own failures count against (cleared by a success), and all the keys a failure counts against.
        const own = device ? deviceKey(device) : address;
        const keys: AttemptKey[] = device ? [own] : [address, network];
        const until = await lockedUntil(db, keys);
        if (until !== null) return { locked: until };
        const user = await findUserByEmail(db, email);
        const check = user ? await verifyPassword(password, user.passwordHash) : { ok: await verifyNoPassword(password), rehash: false };
        if (!user || !check.ok) await recordFailure(db, keys);
        return { locked: null, user, check, device, own };
      });
      if (!outcome) return c.json(errorBody('UNAVAILABLE', 'Too many sign-ins at this moment: try again in a second.'), 503, { 'Retry-After': '1' });
      if (outcome.locked !== null) return lockedOut(c, outcome.locked, 'Too many failed sign-ins', 'or ask an admin to set a new password');
      const { user, check, device, own } = outcome;
      if (!user || !check.ok) throw new ApiError(401, 'UNAUTHORIZED', 'Wrong email or password.');
      if (user.disabledAt !== null) throw forbidden('This account is disabled: ask an admin or owner to enable it.');
      // A network's count stays: someone with an account of their own must not reset it between guesses.
      await Promise.all([clearFailures(db, own), recordSignIn(db, user.id, check.rehash ? await hashPassword(password) : undefined)]);
      return c.json(await startSession(c, db, deps.publicUrl, user, device === null), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/session',
      tags,
      summary: 'Who is signed in, and the CSRF token for their writes',
      responses: { 200: jsonContent(SessionSchema, 'The current session'), 401: errorContent('Not signed in') },
    }),
    async function getSessionHandler(c) {
      const caller = sessionOf(c);
      return c.json(
        {
          user: { id: caller.userId, email: caller.email, name: caller.name, role: caller.role },
          csrfToken: await csrfToken(caller.token),
          expiresAt: iso(caller.expiresAt),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/session',
      tags,
      summary: 'Sign out',
      responses: { 204: { description: 'Signed out; the cookie is cleared' }, 401: errorContent('Not signed in') },
    }),
    async function signOutHandler(c) {
      await deleteSession(db, sessionOf(c).sessionId);
      clearSessionCookie(c, deps.publicUrl);
      return c.body(null, 204);
    },
  );

  return app;
}

/** The session caller; the permission table lets only sessions reach these routes. */
export function sessionOf(c: Context<AuthEnv>): Extract<Caller, { kind: 'session' }> {
  const caller = c.get('caller');
  if (caller?.kind !== 'session') throw new Error('route reached without a session: check edge/permissions.ts');
  return caller;
}
