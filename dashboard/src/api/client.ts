// The typed API client (openapi-fetch over the types generated from /api/openapi.json).
// It sends the session's CSRF token on every write, as the API asks of cookie callers, and
// reports a lapsed session so the app can send the user to sign-in.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Session = components['schemas']['Session'];

export interface ApiClientOptions {
  /** Called when the API answers 401 to anything but a sign-in attempt: the session has ended. */
  onUnauthorized(): void;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Creates the client the whole dashboard shares (built once in main.tsx). */
export function createApiClient(options: ApiClientOptions) {
  let csrfToken: string | null = null;
  const client = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
  const session: Middleware = {
    onRequest({ request }) {
      if (csrfToken && UNSAFE_METHODS.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
      return request;
    },
    onResponse({ request, response }) {
      // A 401 from POST /api/session is a wrong password, not a session that ended.
      const signingIn = new URL(request.url).pathname === '/api/session' && request.method === 'POST';
      if (response.status === 401 && !signingIn) options.onUnauthorized();
      return response;
    },
  };
  client.use(session);
  return Object.assign(client, {
    /** Remembers the token GET/POST /api/session returned (null once signed out). */
    setCsrfToken(token: string | null) {
      csrfToken = token;
    },
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;
