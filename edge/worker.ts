// The Cloudflare Workers entry: builds the app's dependencies from `env` once per isolate
// and serves every request with the one app. The database is reached over HTTP (Hrana), the
// only way a Worker can; hits are recorded after the response, inside ctx.waitUntil.
import { createClient } from '@libsql/client/web';
import mjml2html from 'mjml-browser';
import { edgeConfigSchema, parseConfig } from '../shared/config';
import { createDatabase } from '../shared/db/database';
import { deriveKeys } from '../shared/keys';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { recordHits } from '../shared/queries/events';
import { createApp, type App } from './app';
import { createBatchingHitRecorder } from './batching-hit-recorder';
import { createMemoryReplayGuard } from './memory-replay-guard';

/** Secrets are not in wrangler.toml, so `wrangler types` knows only the required one. */
type WorkerEnv = Env & { DATABASE_AUTH_TOKEN?: string };

// Built on the first request of an isolate and kept for its life: env does not change
// within an isolate. A failed build is not kept, so a fixed secret takes effect at once.
let app: Promise<App> | undefined;

async function buildApp(env: WorkerEnv): Promise<App> {
  const config = parseConfig(edgeConfigSchema, { ...env });
  if (config.DATABASE_URL.startsWith('file:')) {
    throw new Error('Invalid configuration:\n  DATABASE_URL: a Worker cannot open a file; give a libSQL server URL (npm run dev:worker starts one locally)');
  }
  const client = createClient({ url: config.DATABASE_URL, ...(config.DATABASE_AUTH_TOKEN ? { authToken: config.DATABASE_AUTH_TOKEN } : {}) });
  const db = createDatabase(client);
  const keys = await deriveKeys(config.SECRET_KEY);
  return createApp({
    db,
    publicUrl: config.PUBLIC_URL,
    keys,
    keyring: [keys],
    mjml2html,
    recorder: createBatchingHitRecorder((hits) => recordHits(db, hits)),
    feedback: { record: async (events) => void (await recordDeliveryEvents(db, events)) },
    webhooks: { fetch: (input, init) => fetch(input, init), replay: createMemoryReplayGuard(), keyCache: new Map() },
  });
}

export default {
  async fetch(request, env, ctx) {
    let ready: App;
    try {
      ready = await (app ??= buildApp(env));
    } catch (err) {
      app = undefined;
      // parseConfig's message names each variable and what is wrong with it, never a value.
      console.error(`edgepost worker cannot start: ${err instanceof Error ? err.message : String(err)}`);
      return Response.json(
        { error: { code: 'INTERNAL', message: 'The edge is misconfigured; the Worker log names the variables to fix.' } },
        { status: 500 },
      );
    }
    return ready.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<WorkerEnv>;
