// The edge app on a real migrated database, with an API key, for API tests:
//   const t = await createTestApp();
//   const { status, body } = await t.api('POST', '/api/lists', { name: 'News' });
//   afterEach(() => t.close());
import mjml2html from 'mjml';
import { createApp, type App } from '../../edge/app';
import { BackgroundTasks } from '../../edge/background';
import type { AppDeps } from '../../edge/deps';
import type { Hit, HitRecorder } from '../../edge/hit-recorder';
import type { Database } from '../../shared/db/database';
import { deriveKeys } from '../../shared/keys';
import { createApiKey } from '../../shared/queries/api-keys';
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
  close(): void;
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

export async function createTestApp(): Promise<TestApp> {
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
    publicUrl: 'http://edge.test',
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
  const api = async (method: string, path: string, body?: unknown): Promise<ApiResult> => {
    const res = await request(path, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('json') ?? false;
    return { status: res.status, headers: res.headers, body: text === '' ? null : isJson ? JSON.parse(text) : text };
  };

  return { app, deps, database, background, hits, apiKey, api, request, close: () => database.close() };
}
