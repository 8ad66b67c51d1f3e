// The edge app with the real batching recorder writing to a real migrated database, for
// tracking and unsubscribe tests (rows to track come from ./tracking-seed).
import mjml2html from 'mjml';
import { createApp, type App } from '../../edge/app';
import { BackgroundTasks } from '../../edge/background';
import { createBatchingHitRecorder, type BatchingHitRecorder } from '../../edge/batching-hit-recorder';
import type { AppDeps } from '../../edge/deps';
import { deriveKeys, type Keys } from '../../shared/keys';
import { recordHits } from '../../shared/queries/hits';
import { feedbackDeps } from './app';
import { createTestDatabase, type TestDatabase } from './database';

export interface TrackingTestApp {
  app: App;
  deps: AppDeps;
  database: TestDatabase;
  keys: Keys;
  recorder: BatchingHitRecorder;
  background: BackgroundTasks;
  /** What the recorder logged (lost batches). */
  logs: string[];
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

export const TEST_SECRET = 'tracking-test-secret-0123456789-abcdef';

export async function createTrackingTestApp(options: { retiredSecrets?: string[] } = {}): Promise<TrackingTestApp> {
  const database = await createTestDatabase();
  const keys = await deriveKeys(TEST_SECRET);
  const retired = await Promise.all((options.retiredSecrets ?? []).map((s) => deriveKeys(s)));
  const logs: string[] = [];
  const recorder = createBatchingHitRecorder((hits) => recordHits(database.db, hits), {
    maxDelayMs: 5,
    retries: 1,
    backoffMs: 1,
    log: (m) => logs.push(m),
  });
  const deps: AppDeps = { db: database.db, publicUrl: 'http://edge.test', keys, keyring: [keys, ...retired], mjml2html, recorder, ...feedbackDeps(database.db) };
  const app = createApp(deps);
  const background = new BackgroundTasks();
  return {
    app,
    deps,
    database,
    keys,
    recorder,
    background,
    logs,
    request: async (path, init) => app.request(path, init, {}, background),
    close: () => database.close(),
  };
}
