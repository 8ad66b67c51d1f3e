// The Node host of the edge app (@hono/node-server): the embedded default, one machine and
// no Cloudflare account. It gives the app the same contract a Worker has: a waitUntil that
// outlives the response, drained on close, so a graceful shutdown loses no tracking hit.
// Where a Worker puts hits and delivery events on a Cloudflare Queue, this host group-commits
// them in process (edge/batch-writer.ts): one database write per batch, not per request.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import mjml2html from 'mjml';
import type { EdgeConfig } from '../../shared/config';
import { deriveKeyring } from '../../shared/keyring';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { recordHits } from '../../shared/queries/hits';
import { openDatabase } from '../../node/open-database';
import { createApp, type App } from '../app';
import { BackgroundTasks } from '../background';
import { createBatchingFeedbackRecorder, type BatchingFeedbackRecorderOptions } from '../batching-feedback-recorder';
import { createBatchingHitRecorder, type BatchingHitRecorderOptions } from '../batching-hit-recorder';
import { createMemoryReplayGuard } from '../memory-replay-guard';

export interface ServeEdgeOptions {
  /** Parsed with `parseConfig(edgeConfigSchema, env)`. */
  config: EdgeConfig;
  /** Overrides `config.HOST`, the interface to listen on. */
  hostname?: string;
  /** Overrides `config.PORT`; 0 picks a free port. */
  port?: number;
  /** Batching of tracking hits (defaults: 100 hits or 50 ms). */
  recorder?: BatchingHitRecorderOptions;
  /** Batching of relay webhooks' delivery events (defaults: 100 events or 100 ms). */
  feedback?: BatchingFeedbackRecorderOptions;
  /** Milliseconds in-flight requests get to finish on close before their connections are cut. Default 10000. */
  shutdownTimeoutMs?: number;
  /** The built dashboard (`npm run build:dashboard`), served on every path the edge app does not own. Default `dashboard/dist`; not served when it has no index.html. */
  dashboardDir?: string;
}

export interface EdgeServer {
  /** Where this process listens, e.g. `http://127.0.0.1:8787` (PUBLIC_URL may differ). */
  url: string;
  /** Stops accepting, lets in-flight requests finish, writes every pending hit and event and closes the database. */
  close(): Promise<void>;
}

/** Serves the edge app on Node and resolves once it listens. */
export async function serveEdge(options: ServeEdgeOptions): Promise<EdgeServer> {
  const { config } = options;
  const hostname = options.hostname ?? config.HOST;
  const port = options.port ?? config.PORT;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`ServeEdgeOptions.port must be an integer from 0 to 65535, got ${port}`);
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) throw new RangeError(`ServeEdgeOptions.shutdownTimeoutMs must be a non-negative integer, got ${shutdownTimeoutMs}`);

  const { client, db } = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  const keyring = await deriveKeyring(config);
  const keys = keyring[0];
  const recorder = createBatchingHitRecorder((hits) => recordHits(db, hits), options.recorder);
  const feedback = createBatchingFeedbackRecorder((events) => recordDeliveryEvents(db, events), options.feedback);
  const background = new BackgroundTasks();
  const app = createApp({
    db,
    publicUrl: config.PUBLIC_URL,
    keys,
    keyring,
    mjml2html,
    recorder,
    feedback,
    webhooks: { fetch, replay: createMemoryReplayGuard(), keyCache: new Map() },
  });

  const site = withDashboard(app, options.dashboardDir ?? DEFAULT_DASHBOARD_DIR);
  let server: Server;
  try {
    server = await listen((request, env) => site.fetch(request, env, background), hostname, port);
  } catch (err) {
    client.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    // Order matters: no new requests, then the hits and events they queued, then the database under them.
    await stopListening(server, shutdownTimeoutMs);
    await Promise.all([recorder.close(), feedback.close()]);
    await background.drain();
    await recorder.flush();
    client.close();
  }

  return {
    url: `http://${host}:${address.port}`,
    close: () => (closing ??= close()),
  };
}

// The paths the edge app owns; every other path is the dashboard's. wrangler.toml's
// `run_worker_first` lists the same ones, so both hosts split requests alike.
const EDGE_PATHS = /^\/(?:api|t|u|hooks)(?:\/|$)|^\/healthz$/;
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));
// Vite puts a content hash in every file name under assets/: a new build is a new name.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The edge app behind the dashboard's files: API paths first, then a file, then index.html for the SPA's own routes. */
function withDashboard(app: App, dir: string): Pick<App, 'fetch'> {
  if (!existsSync(join(dir, 'index.html'))) return app;
  const cacheControl = (path: string, c: Context) =>
    c.header('Cache-Control', relative(dir, path).startsWith(`assets${sep}`) ? IMMUTABLE : 'no-cache');
  const toApp = (c: Context) => app.fetch(c.req.raw, c.env, c.executionCtx);
  const site = new Hono();
  site.all('*', (c, next) => (EDGE_PATHS.test(c.req.path) ? toApp(c) : next()));
  site.use('*', serveStatic({ root: dir, onFound: cacheControl }));
  // A browser opening a screen of the SPA (/lists) gets index.html. Workers' single-page-application
  // mode sends it for any unmatched path; here only navigations get it, so a missing asset is a 404.
  const index = serveStatic({ root: dir, path: 'index.html', onFound: cacheControl });
  site.get('*', (c, next) => (isNavigation(c) ? index(c, next) : next()));
  site.all('*', toApp);
  return site;
}

function isNavigation(c: Context): boolean {
  return c.req.header('sec-fetch-mode') === 'navigate' || (c.req.header('accept') ?? '').includes('text/html');
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], hostname: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Without serverOptions/createServer overrides, serve() makes a plain node:http Server.
    const server = serve({ fetch, hostname, port }, () => resolve(server)) as Server;
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`PORT: ${hostname}:${port} is already in use; stop what holds it or set another PORT`) : err),
    );
  });
}

/** Closes the listener; idle keep-alive connections go at once, busy ones after the timeout. */
function stopListening(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
