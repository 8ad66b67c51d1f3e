// The edge app on a real migrated database, with an API key, for API tests:
//   const t = await createTestApp();
//   const { status, body } = await t.api('POST', '/api/lists', { name: 'News' });
//   const editor = await t.signIn('editor');   // a dashboard user's session instead
//   await editor.api('POST', '/api/lists', { name: 'News' });
//   afterEach(() => t.close());
import mjml2html from 'mjml';
import { createApp, type App } from '../../edge/app';
import { BackgroundTasks } from '../../edge/background';
import type { AppDeps } from '../../edge/deps';
import type { Hit, HitRecorder } from '../../edge/hit-recorder';
import type { Database } from '../../shared/db/database';
import type { UserRole } from '../../shared/db/schema';
import { deriveKeys } from '../../shared/keys';
import { csrfToken } from '../../edge/session-cookie';
import { hashPassword } from '../../shared/passwords';
import { createApiKey } from '../../shared/queries/api-keys';
import { createSession } from '../../shared/queries/sessions';
import { createUser, type User } from '../../shared/queries/users';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { createMemoryReplayGuard } from '../../edge/memory-replay-guard';
import { createTestDatabase, type TestDatabase } from './database';

export interface ApiResult {
  status: number;
  headers: Headers;
  /** The parsed JSON body, the text of any other body, or null when there is none. */
  body: any;
}

export interface TestApp {
  app: App;
  deps: AppDeps;
  database: TestDatabase;
  /** Stands in for a Worker's ExecutionContext; `await background.drain()` before asserting on recorded hits. */
  background: BackgroundTasks;
  /** Hits handed to the recorder, in order. */
  hits: Hit[];
  apiKey: string;
  /** Calls the app with the API key; a body is sent as JSON. */
  api(method: string, path: string, body?: unknown): Promise<ApiResult>;
  /** Calls the app as is, without the API key (public routes, auth tests, raw bodies). */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Creates a dashboard user with this role (password TEST_PASSWORD) and a session for them. */
  signIn(role: UserRole, user?: { email?: string; name?: string }): Promise<SignedIn>;
  close(): void;
}

/** A dashboard user's session in a test app. */
export interface SignedIn {
  user: User;
  /** The Cookie header value, e.g. `edgepost_session=...`. */
  cookie: string;
  csrfToken: string;
  /** Calls the app as the dashboard does: the cookie, the CSRF token and a same-origin Origin; `headers` override. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult>;
}

/** The password of users made by signIn. */
export const TEST_PASSWORD = 'test password 0123456789';
/** The origin app.request() gives requests (http://localhost). */
export const TEST_ORIGIN = 'http://localhost';

// Users made by signIn share one cheap hash (real parameters cost a second each); a
// sign-in with TEST_PASSWORD still works, and rehashes it.
let testPasswordHash: Promise<string> | undefined;

async function readResult(res: Response): Promise<ApiResult> {
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('json') ?? false;
  return { status: res.status, headers: res.headers, body: text === '' ? null : isJson ? JSON.parse(text) : text };
}

function jsonInit(method: string, headers: Record<string, string>, body: unknown): RequestInit {
  return {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** The app's feedback dependencies for tests: events written at once, no network (a test that needs an SNS certificate replaces `deps.webhooks.fetch`). */
export function feedbackDeps(db: Database): Pick<AppDeps, 'feedback' | 'webhooks'> {
  return {
    feedback: {
      async record(events) {
        await recordDeliveryEvents(db, events);
      },
    },
    webhooks: {
      fetch: async (input) => {
        throw new Error(`no network in tests (fetch ${String(input)})`);
      },
      replay: createMemoryReplayGuard(),
      keyCache: new Map(),
    },
  };
}

export async function createTestApp(options: { publicUrl?: string } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const keys = await deriveKeys('test-secret-0123456789-0123456789-abcdef');
  const hits: Hit[] = [];
  // Keeps hits in memory until the batching recorder (edge/batching-hit-recorder.ts) takes over here.
  const recorder: HitRecorder = {
    async record(hit) {
      hits.push(hit);
    },
  };
  const deps: AppDeps = {
    db: database.db,
    publicUrl: options.publicUrl ?? 'http://edge.test',
    keys,
    keyring: [keys],
    mjml2html,
    recorder,
    ...feedbackDeps(database.db),
  };
  const app = createApp(deps);
  const background = new BackgroundTasks();
  const { key: apiKey } = await createApiKey(database.db, 'test');

  const request = async (path: string, init?: RequestInit) => app.request(path, init, {}, background);
  const api = async (method: string, path: string, body?: unknown): Promise<ApiResult> =>
    readResult(await request(path, jsonInit(method, { authorization: `Bearer ${apiKey}` }, body)));

  let users = 0;
  const signIn = async (role: UserRole, input: { email?: string; name?: string } = {}): Promise<SignedIn> => {
    testPasswordHash ??= hashPassword(TEST_PASSWORD, { N: 16, r: 8, p: 1 });
    users++;
    const email = input.email ?? `${role}${users}@example.com`;
    const user = await createUser(database.db, { email, name: input.name ?? `${role} ${users}`, role, passwordHash: await testPasswordHash });
    if (!user) throw new Error(`signIn: ${email} already has an account`);
    const session = await createSession(database.db, user.id, 'vitest');
    const cookie = `edgepost_session=${session.token}`;
    const token = await csrfToken(session.token);
    const headers = { cookie, 'x-csrf-token': token, origin: TEST_ORIGIN };
    return {
      user,
      cookie,
      csrfToken: token,
      api: async (method, path, body, extra = {}) => readResult(await request(path, jsonInit(method, { ...headers, ...extra }, body))),
    };
  };

  return { app, deps, database, background, hits, apiKey, api, request, signIn, close: () => database.close() };
}
