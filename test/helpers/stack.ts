// The whole of Edgepost for a test: the edge on a real HTTP port, the sender plane on the
// real Redis, a loopback SMTP sink as the relay, and an API client with a fresh key.
import { edgeConfigSchema, parseConfig } from '../../shared/config';
import { createApiKey } from '../../shared/queries/api-keys';
import { serveEdge } from '../../edge/node/serve-edge';
import { freePort } from '../../node/free-port';
import { createTestDatabase, type TestDatabase } from './database';
import { dropQueue, startTestSender, TEST_SECRET, testSenderConfig, waitFor } from './sender';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export interface Stack {
  /** Where the edge listens; also its PUBLIC_URL. */
  base: string;
  database: TestDatabase;
  sink: SmtpSink;
  /** Calls the API with the stack's key; throws on a non-2xx answer. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** Waits until the campaign reaches `status`. */
  campaignReaches(id: number, status: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const database = await createTestDatabase();
  const sink = await startSmtpSink();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET, PUBLIC_URL: base, PORT: String(port) };
  const edge = await serveEdge({ config: parseConfig(edgeConfigSchema, env) });
  const senderConfig = testSenderConfig(env);
  const sender = await startTestSender(database.db, senderConfig);
  const { key } = await createApiKey(database.db, 'test');

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json as T;
  }

  return {
    base,
    database,
    sink,
    api,
    campaignReaches: (id, status, timeoutMs = 30_000) =>
      waitFor(`campaign ${id} ${status}`, async () => ((await api<{ status: string }>('GET', `/campaigns/${id}`)).status === status ? true : undefined), timeoutMs).then(() => {}),
    async close() {
      await sender.close();
      await edge.close();
      await dropQueue(senderConfig);
      await sink.close();
      database.close();
    },
  };
}
