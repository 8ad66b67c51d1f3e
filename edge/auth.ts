// Who is calling, and may they: every request under /api goes through requireCaller.
// A caller is either a Bearer API key (high-entropy, so a plain SHA-256 is the right hash;
// it acts as an admin) or a dashboard session cookie. Cookies ride along on requests other
// sites make, so a cookie-borne request that changes anything must also carry the
// session's X-CSRF-Token and come from our own origin; an API key in a header cannot be
// sent by another site, so it needs neither. Then edge/permissions.ts decides.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { UserRole } from '../shared/db/schema';
import { findActiveApiKey, LAST_USED_RESOLUTION_MS, touchApiKey } from '../shared/queries/api-keys';
import { findSession, SESSION_TOUCH_MS, touchSession } from '../shared/queries/sessions';
import { ApiError } from './api-error';
import type { AppDeps } from './deps';
import { API_KEY_ROLE, isAllowed, requiredAccess, type Access } from './permissions';
import { csrfTokenMatches, isFromAnotherSite, isSameOrigin, readSessionToken } from './session-cookie';

export type Caller =
  | { kind: 'apiKey'; role: UserRole; apiKeyId: number }
  | { kind: 'session'; role: UserRole; userId: number; email: string; name: string; sessionId: number; token: string; expiresAt: number };

/** Hono env of routes that read the caller: `c.get('caller')` (unset on public routes). */
export type AuthEnv = { Variables: { caller?: Caller } };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A 403: the caller is known but may not do this. */
export function forbidden(message: string): ApiError {
  return new ApiError(403, 'FORBIDDEN', message);
}

/** Authenticates the caller, checks CSRF for cookie-borne writes, then the permission table. */
export function requireCaller(deps: Pick<AppDeps, 'db' | 'publicUrl'>) {
  return createMiddleware<AuthEnv>(async function authenticate(c, next) {
    const access = requiredAccess(c.req.method, c.req.path);
    const writes = !SAFE_METHODS.has(c.req.method.toUpperCase());
    if (access === 'public') {
      // Signing in and setup set a cookie: another site must not sign a visitor in as someone else.
      if (writes && isFromAnotherSite(c, deps.publicUrl)) throw forbidden('This request comes from another site; sign in from the Edgepost dashboard itself.');
      await next();
      return;
    }
    const caller = c.req.header('authorization') !== undefined ? await apiKeyCaller(c, deps) : await sessionCaller(c, deps, writes);
    if (!isAllowed(access, caller)) throw forbidden(refusal(access, caller));
    c.set('caller', caller);
    await next();
  });
}

async function apiKeyCaller(c: Context, deps: Pick<AppDeps, 'db'>): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match) throw new ApiError(401, 'UNAUTHORIZED', 'Send your API key as "Authorization: Bearer <key>" (create one with: npm run cli -- api-key create --name NAME).');
  const key = await findActiveApiKey(deps.db, match[1]!);
  if (!key) throw new ApiError(401, 'UNAUTHORIZED', 'This API key is unknown or revoked.');
  if (key.lastUsedAt === null || key.lastUsedAt < Date.now() - LAST_USED_RESOLUTION_MS) {
    c.executionCtx.waitUntil(touchApiKey(deps.db, key.id));
  }
  return { kind: 'apiKey', role: API_KEY_ROLE, apiKeyId: key.id };
}

async function sessionCaller(c: Context, deps: Pick<AppDeps, 'db' | 'publicUrl'>, writes: boolean): Promise<Caller> {
  const token = readSessionToken(c, deps.publicUrl);
  if (!token) {
    throw new ApiError(401, 'UNAUTHORIZED', 'Sign in first (POST /api/session), or send an API key as "Authorization: Bearer <key>" (create one with: npm run cli -- api-key create --name NAME).');
  }
  const now = Date.now();
  const session = await findSession(deps.db, token, now);
  if (!session) throw new ApiError(401, 'UNAUTHORIZED', 'Your session has ended (signed out, 12 hours without use, 30 days old, or the account was disabled): sign in again.');
  if (writes) {
    if (!isSameOrigin(c, deps.publicUrl)) throw forbidden('This request does not come from the Edgepost dashboard (its Origin is another site, or missing); send it from the dashboard, or use an API key.');
    if (!(await csrfTokenMatches(token, c.req.header('x-csrf-token')))) {
      throw forbidden('Missing or wrong X-CSRF-Token header: send the csrfToken that GET /api/session returns.');
    }
  }
  if (session.lastSeenAt < now - SESSION_TOUCH_MS) c.executionCtx.waitUntil(touchSession(deps.db, session.sessionId, now));
  const { sessionId, userId, email, name, role, expiresAt } = session;
  return { kind: 'session', role, userId, email, name, sessionId, token, expiresAt };
}

function refusal(access: Access, caller: Caller): string {
  if (access === 'session') return 'This is about a dashboard user: sign in to the dashboard to do it (an API key has no user).';
  const who = caller.kind === 'apiKey' ? 'An API key acts as an admin' : `Your role is ${caller.role}`;
  return `${who}; this needs the ${access} role or higher. Ask an owner or admin to change your role.`;
}
