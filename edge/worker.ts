// The Cloudflare Workers entry: builds the app's dependencies from `env` once per isolate
// and serves every request with the one app. The database is reached over HTTP (Hrana), the
// only way a Worker can. Hits and delivery events never wait on it in the request: they go
// on the `EVENTS` queue (edge/queue-recorders.ts), and this Worker's queue() handler writes
// them in batches (edge/queue-consumer.ts).
import { createClient } from '@libsql/client/web';
import mjml2html from 'mjml-browser';
import { edgeConfigSchema, parseConfig } from '../shared/config';
import { createDatabase, type Database } from '../shared/db/database';
import { deriveKeyring } from '../shared/keyring';
import { createApp, type App } from './app';
import { createDatabaseReplayGuard } from './database-replay-guard';
import { isolateOnce } from './isolate-once';
import type { EventMessage } from './event-message';
import { consumeEvents, retryLater } from './queue-consumer';
import { createQueueFeedbackRecorder, createQueueHitRecorder } from './queue-recorders';

/** Secrets are not in wrangler.toml, so `wrangler types` knows only the required one. */
type WorkerEnv = Env & { DATABASE_AUTH_TOKEN?: string };

interface Isolate {
  app: App;
  db: Database;
}

/** The isolate's app and database, built on its first request or batch. */
const ready = isolateOnce('edgepost worker', async (env: WorkerEnv): Promise<Isolate> => {
  const config = parseConfig(edgeConfigSchema, { ...env });
  if (config.DATABASE_URL.startsWith('file:')) {
    throw new Error('Invalid configuration:\n  DATABASE_URL: a Worker cannot open a file; give a libSQL server URL (npm run dev:worker starts one locally)');
  }
  const client = createClient({ url: config.DATABASE_URL, ...(config.DATABASE_AUTH_TOKEN ? { authToken: config.DATABASE_AUTH_TOKEN } : {}) });
  const db = createDatabase(client);
  const keyring = await deriveKeyring(config);
  const keys = keyring[0];
  const events = env.EVENTS as Queue<EventMessage>;
  const app = createApp({
    db,
    publicUrl: config.PUBLIC_URL,
    keys,
    keyring,
    mjml2html,
    recorder: createQueueHitRecorder(events),
    feedback: createQueueFeedbackRecorder(events),
    // Isolates share no memory: a single-use token must be claimed where all of them look.
    webhooks: { fetch: (input, init) => fetch(input, init), replay: createDatabaseReplayGuard(db), keyCache: new Map() },
  });
  return { app, db };
});

export default {
  async fetch(request, env, ctx) {
    let app: App;
    try {
      ({ app } = await ready(env));
    } catch {
      return Response.json(
        { error: { code: 'INTERNAL', message: 'The edge is misconfigured; the Worker log names the variables to fix.' } },
        { status: 500 },
      );
    }
    return app.fetch(request, env, ctx);
  },

  async queue(batch, env) {
    let db: Database;
    try {
      ({ db } = await ready(env));
    } catch {
      // Logged by ready(). Kept on the queue, so the events are written once the configuration is fixed.
      retryLater(batch);
      return;
    }
    await consumeEvents(db, batch);
  },
} satisfies ExportedHandler<WorkerEnv, EventMessage>;
