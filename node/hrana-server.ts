// A small Hrana-over-HTTP server (protocol versions 2 and 3, JSON) on a local libSQL file,
// so `wrangler dev` can reach the same database file the Node host uses through
// `@libsql/client/web`. A stand-in for sqld in development; see docs/local-worker-database.md.
import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import Database from 'libsql';
import { cursorBodySchema, describeIssues, pipelineBodySchema, streamRequestSchema, type BatchResult, type StreamResult } from './hrana-protocol';
import { asFailure } from './hrana-statement';
import { createStreamRegistry } from './hrana-stream-registry';

export interface HranaServerOptions {
  /** The database file: a path or a `file:` URL. It is created if missing. */
  file: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Seconds a stream may sit idle before it is rolled back and closed. Default 10. */
  streamIdleSeconds?: number;
  /** When set, every request must carry `Authorization: Bearer <authToken>`. */
  authToken?: string;
  /** Milliseconds a connection waits on another process's write lock. Default 5000. */
  busyTimeoutMs?: number;
}

export interface HranaServer {
  /** Base URL for `@libsql/client` (`http://127.0.0.1:<port>`). */
  url: string;
  /** Stops accepting, rolls back open streams and closes every connection. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Starts the server on 127.0.0.1 and resolves once it listens. */
export async function startHranaServer(options: HranaServerOptions): Promise<HranaServer> {
  const path = checkOptions(options);
  const streams = createStreamRegistry({ path, idleMs: (options.streamIdleSeconds ?? 10) * 1000, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  const { withStream } = streams;

  async function pipeline(c: Context) {
    const raw = await readJson(c);
    if (raw === INVALID_JSON) return protoError('The request body is not valid JSON');
    const body = pipelineBodySchema.safeParse(raw);
    if (!body.success) return protoError(describeIssues(body.error));
    const outcome = await withStream(body.data.baton, (stream) =>
      body.data.requests.map((raw, i): StreamResult => {
        const request = streamRequestSchema.safeParse(raw);
        if (!request.success) return { type: 'error', error: { message: describeIssues(request.error, `requests.${i}`), code: 'HRANA_PROTO_ERROR' } };
        try {
          return { type: 'ok', response: stream.handle(request.data) };
        } catch (err) {
          const failure = asFailure(err);
          return { type: 'error', error: { message: failure.message, code: failure.code } };
        }
      }),
    );
    if (!outcome) return expired();
    return json({ baton: outcome.baton, base_url: null, results: outcome.result });
  }

  async function cursor(c: Context) {
    const raw = await readJson(c);
    if (raw === INVALID_JSON) return protoError('The request body is not valid JSON');
    const body = cursorBodySchema.safeParse(raw);
    if (!body.success) return protoError(describeIssues(body.error));
    const outcome = await withStream(body.data.baton, (stream) => {
      try {
        return cursorEntries(stream.batch(body.data.batch));
      } catch (err) {
        const failure = asFailure(err);
        return [{ type: 'error', error: { message: failure.message, code: failure.code } }];
      }
    });
    if (!outcome) return expired();
    const lines = [{ baton: outcome.baton, base_url: null }, ...outcome.result].map((l) => JSON.stringify(l) + '\n');
    return new Response(lines.join(''), { headers: { 'content-type': 'text/plain' } });
  }

  const app = new Hono();
  // Only programs on this machine: a web page open in a browser here could otherwise POST
  // SQL to loopback (browsers send Origin / Sec-Fetch-* on such requests), and a DNS
  // rebinding attack arrives with a foreign Host.
  app.use('*', async function refuseBrowsers(c, next) {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (c.req.header('origin') || c.req.header('sec-fetch-site') || !LOOPBACK_HOSTS.has(host)) {
      return json({ message: 'This development server answers only programs on this machine, never a web page', code: 'FORBIDDEN' }, 403);
    }
    await next();
  });
  app.use('*', async function requireToken(c, next) {
    if (options.authToken && !bearerMatches(c.req.header('authorization'), options.authToken)) {
      return json({ message: 'Send the server token as "Authorization: Bearer <token>"', code: 'UNAUTHORIZED' }, 401);
    }
    await next();
  });
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => protoError(`The request body is over ${MAX_BODY_BYTES} bytes`, 413) }));
  app.get('/health', (c) => c.text('ok'));
  // Version probes: JSON v2 and v3. No Protobuf, so `GET /v3-protobuf` is a 404 and clients fall back.
  app.get('/v2', (c) => c.text('ok'));
  app.get('/v3', (c) => c.text('ok'));
  app.post('/v2/pipeline', pipeline);
  app.post('/v3/pipeline', pipeline);
  app.post('/v3/cursor', cursor);
  app.notFound((c) => json({ message: `No Hrana endpoint ${c.req.method} ${c.req.path}; use POST /v2/pipeline, /v3/pipeline or /v3/cursor`, code: 'NOT_FOUND' }, 404));
  app.onError((err) => {
    console.error('hrana server error', err);
    return json({ message: 'Internal error in the Hrana server; the stream is no longer valid', code: 'INTERNAL' }, 500);
  });

  // WAL lets the Node host and the sender read while this server writes (and back).
  const setup = new Database(path);
  setup.exec('PRAGMA journal_mode = WAL');
  setup.close();

  const server = await listen(app, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      streams.close();
    },
  };
}

function checkOptions(options: HranaServerOptions): string {
  const path = options.file.startsWith('file:') ? options.file.slice('file:'.length).replace(/\?.*$/, '') : options.file;
  if (!path || path === ':memory:' || options.file.includes('mode=memory')) {
    throw new Error('file: give a database file path (an in-memory database would be private to each stream)');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port: must be an integer from 0 to 65535, got ${port}`);
  const idle = options.streamIdleSeconds ?? 10;
  if (!(idle > 0 && idle <= 3600)) throw new Error(`streamIdleSeconds: must be more than 0 and at most 3600, got ${idle}`);
  const busy = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busy) || busy < 0) throw new Error(`busyTimeoutMs: must be a non-negative integer, got ${busy}`);
  if (options.authToken !== undefined && options.authToken.length === 0) throw new Error('authToken: must not be empty (leave it out for no auth)');
  return path;
}

function listen(app: Hono, port: number) {
  return new Promise<Server>((resolve, reject) => {
    // Without serverOptions/createServer overrides, serve() makes a plain node:http Server.
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => resolve(server)) as Server;
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port: 127.0.0.1:${port} is already in use; pick another (0 for any free port)`) : err),
    );
  });
}

/** A cursor's entries carry the same facts as the batch result, step by step. */
function cursorEntries(result: BatchResult): unknown[] {
  const entries: unknown[] = [];
  result.step_results.forEach((stepResult, step) => {
    const error = result.step_errors[step];
    if (error) entries.push({ type: 'step_error', step, error });
    if (!stepResult) return;
    entries.push({ type: 'step_begin', step, cols: stepResult.cols });
    for (const row of stepResult.rows) entries.push({ type: 'row', row });
    entries.push({ type: 'step_end', affected_row_count: stepResult.affected_row_count, last_insert_rowid: stepResult.last_insert_rowid });
  });
  return entries;
}

const INVALID_JSON = Symbol('invalid JSON');

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return INVALID_JSON;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// The client parses error bodies only when the content type is exactly `application/json`.
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function protoError(message: string, status = 400): Response {
  return json({ message, code: 'HRANA_PROTO_ERROR' }, status);
}

function expired(): Response {
  return json({ message: 'The baton is unknown, already used, or its stream expired after being idle; open a new stream with baton null', code: 'STREAM_EXPIRED' }, 400);
}
