// The Node host of the edge app (@hono/node-server): the embedded default, one machine and
// no Cloudflare account. It gives the app the same contract a Worker has: a waitUntil that
// outlives the response, drained on close, so a graceful shutdown loses no tracking hit.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import mjml2html from 'mjml';
import type { EdgeConfig } from '../../shared/config';
import { deriveKeys } from '../../shared/keys';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { recordHits } from '../../shared/queries/events';
import { openDatabase } from '../../node/open-database';
import { createApp } from '../app';
import { BackgroundTasks } from '../background';
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
  /** Milliseconds in-flight requests get to finish on close before their connections are cut. Default 10000. */
  shutdownTimeoutMs?: number;
}

export interface EdgeServer {
  /** Where this process listens, e.g. `http://127.0.0.1:8787` (PUBLIC_URL may differ). */
  url: string;
  /** Stops accepting, lets in-flight requests finish, writes every pending hit and closes the database. */
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
  const keys = await deriveKeys(config.SECRET_KEY);
  const recorder = createBatchingHitRecorder((hits) => recordHits(db, hits), options.recorder);
  const background = new BackgroundTasks();
  const app = createApp({
    db,
    publicUrl: config.PUBLIC_URL,
    keys,
    keyring: [keys],
    mjml2html,
    recorder,
    feedback: { record: async (events) => void (await recordDeliveryEvents(db, events)) },
    webhooks: { fetch, replay: createMemoryReplayGuard(), keyCache: new Map() },
  });

  let server: Server;
  try {
    server = await listen((request, env) => app.fetch(request, env, background), hostname, port);
  } catch (err) {
    client.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    // Order matters: no new requests, then the hits they queued, then the database under them.
    await stopListening(server, shutdownTimeoutMs);
    await recorder.close();
    await background.drain();
    await recorder.flush();
    client.close();
  }

  return {
    url: `http://${host}:${address.port}`,
    close: () => (closing ??= close()),
  };
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
