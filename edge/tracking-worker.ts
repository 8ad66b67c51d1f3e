// The tracking Worker (wrangler.tracking.toml): the open pixel and the click redirect alone,
// for a tracking domain of your own (docs/tracking.md). The same routes as the main Worker's
// /t/*, answered from the signed token; each hit goes on the EVENTS queue, which the main
// Worker consumes and writes to libSQL.
//
// Why a Worker of its own: it is the one part of Edgepost every recipient's mail client and
// every link scanner calls. Without the dashboard's static-assets router in front, it answers
// with one Worker invocation instead of two; its bundle is 105 KiB where the main Worker's
// is 4.7 MB, so a cold isolate starts in milliseconds; and it holds no database credentials and
// serves no API, so a flaw in it reaches neither.
import { Hono } from 'hono';
import { deriveKeyring } from '../shared/keyring';
import { parseSecretKeys } from '../shared/secret-key-config';
import type { EventMessage } from './event-message';
import { isolateOnce } from './isolate-once';
import { createQueueHitRecorder } from './queue-recorders';
import { healthRoutes } from './routes/health';
import { trackingRoutes } from './routes/tracking';

/** wrangler.tracking.toml's bindings: the queue, and the secrets (`wrangler secret put`). */
interface TrackingEnv {
  EVENTS: Queue<EventMessage>;
  SECRET_KEY: string;
  SECRET_KEY_PREVIOUS?: string;
}

const NOT_FOUND = 'Not found: this host serves tracking links only.';

const ready = isolateOnce('edgepost tracking worker', async (env: TrackingEnv) => {
  const keyring = await deriveKeyring(parseSecretKeys(env));
  const app = new Hono();
  app.route('/', healthRoutes());
  app.route('/', trackingRoutes({ keyring, recorder: createQueueHitRecorder(env.EVENTS) }));
  app.notFound(() => new Response(NOT_FOUND, { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } }));
  return app;
});

export default {
  async fetch(request, env, ctx) {
    let app: Hono;
    try {
      app = await ready(env);
    } catch {
      return new Response('The tracking Worker is misconfigured; its log names the variables to fix.', { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<TrackingEnv>;
