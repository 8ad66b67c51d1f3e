// Relay webhooks on the Node host, over real HTTP: events of concurrent requests share one
// database write, and a request is answered 200 only once its events are stored; with the
// database down it gets 503, and the relay's redelivery is stored once. The database is a
// libSQL server here (as Turso would be), so it can be taken down and brought back.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../node/free-port';
import { startHranaServer, type HranaServer } from '../../node/hrana-server';
import { edgeConfigSchema, parseConfig } from '../../shared/config';
import { events } from '../../shared/db/schema';
import { deriveKeys } from '../../shared/keys';
import { createRelayWebhook } from '../../shared/queries/relay-webhooks';
import { encryptSecrets } from '../../shared/secret-box';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { insertMessageRow } from '../../test/helpers/message-row';
import { serveEdge, type EdgeServer } from './serve-edge';

const SECRET_KEY = 'serve-edge-webhooks-secret-0123456789ab';
const USER = 'postmark-hooks';
const PASSWORD = 'serve-edge-postmark-password';

let database: TestDatabase;
let hrana: HranaServer | undefined;
let port: number;
let server: EdgeServer | undefined;
const writes: number[] = [];

beforeEach(async () => {
  database = await createTestDatabase();
  const keys = await deriveKeys(SECRET_KEY);
  await createRelayWebhook(database.db, { provider: 'postmark', name: 'Postmark', config: { username: USER }, secrets: await encryptSecrets(keys.secrets, { password: PASSWORD }) });
  port = await freePort();
  hrana = await startHranaServer({ file: database.url, port });
  const config = parseConfig(edgeConfigSchema, { DATABASE_URL: hrana.url, SECRET_KEY, PUBLIC_URL: 'http://edge.test' });
  writes.length = 0;
  server = await serveEdge({ config, port: 0, feedback: { retries: 1, backoffMs: 10, log: () => {}, onWritten: (size) => writes.push(size) } });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  await hrana?.close();
  hrana = undefined;
  database.close();
});

const delivery = (messageId: number, n: number) => ({
  RecordType: 'Delivery',
  MessageID: `pm-node-${n}`,
  Recipient: `reader${n}@example.com`,
  DeliveredAt: '2026-11-01T12:00:00Z',
  Details: 'smtp;250 2.0.0 OK',
  Metadata: { edgepost_message: String(messageId) },
});

async function post(body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server!.url}/hooks/postmark`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const postmarkEvents = () => database.db.select({ key: events.key, messageId: events.messageId }).from(events).where(eq(events.source, 'postmark'));

describe('relay webhooks on the Node host', () => {
  it('stores the events of concurrent webhooks in shared writes and answers each once its event is stored', async () => {
    const messageIds = await Promise.all(Array.from({ length: 30 }, () => insertMessageRow(database.db)));
    // The first request also reads the saved sources; the rest find them cached.
    expect((await post(delivery(messageIds[0]!, 0))).status).toBe(200);
    const answers = await Promise.all(messageIds.slice(1).map(async (id, i) => {
      const answer = await post(delivery(id, i + 1));
      // Answered only once stored: the row is there when the 200 arrives.
      const [row] = await database.db.select({ id: events.id }).from(events).where(eq(events.key, `postmark:delivered:pm-node-${i + 1}:reader${i + 1}@example.com`));
      return { ...answer, stored: row !== undefined };
    }));
    expect(answers.every((a) => a.status === 200 && a.stored)).toBe(true);
    // Requests that arrive within the batch window share a write (how many do depends on the machine).
    expect(writes[0]).toBe(1);
    expect(writes.slice(1).reduce((a, b) => a + b, 0)).toBe(29);
    expect(Math.max(...writes.slice(1))).toBeGreaterThan(1);
    expect((await postmarkEvents()).map((e) => e.messageId).sort((a, b) => a! - b!)).toEqual(messageIds);
  });

  it('answers 503 while the database is down, and stores the redelivered event once it is back', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const messageId = await insertMessageRow(database.db);
    expect((await post(delivery(messageId, 1))).status).toBe(200);
    await hrana!.close();
    hrana = undefined;
    const refused = await post(delivery(messageId, 2));
    expect(refused).toMatchObject({ status: 503, body: { error: { message: expect.stringMatching(/again later/) } } });

    hrana = await startHranaServer({ file: database.url, port });
    // The relay redelivers, twice as it happens.
    expect((await post(delivery(messageId, 2))).status).toBe(200);
    expect((await post(delivery(messageId, 2))).status).toBe(200);
    expect((await postmarkEvents()).map((e) => e.key).sort()).toEqual([
      `postmark:delivered:pm-node-1:reader1@example.com`,
      `postmark:delivered:pm-node-2:reader2@example.com`,
    ]);
  });
});
