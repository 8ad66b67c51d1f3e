// The Node host over real HTTP on a free port, with a real migrated database file.
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edgeConfigSchema, parseConfig, type EdgeConfig } from '../../shared/config';
import { events } from '../../shared/db/schema';
import { deriveKeys } from '../../shared/keys';
import { signToken } from '../../shared/tokens';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { insertMessageRow } from '../../test/helpers/message-row';
import { serveEdge, type EdgeServer } from './serve-edge';

const SECRET_KEY = 'serve-edge-test-secret-0123456789abcdef';

let database: TestDatabase;
let config: EdgeConfig;
let server: EdgeServer | undefined;

beforeEach(async () => {
  database = await createTestDatabase();
  config = parseConfig(edgeConfigSchema, { DATABASE_URL: database.url, SECRET_KEY, PUBLIC_URL: 'http://edge.test' });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  database.close();
});

describe('serveEdge', () => {
  it('answers real HTTP requests on 127.0.0.1', async () => {
    server = await serveEdge({ config, port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const missing = await fetch(`${server.url}/no-such-route`);
    expect(missing.status).toBe(404);
  });

  it('writes a hit still waiting in its batch when closed, then stops answering', async () => {
    const messageId = await insertMessageRow(database.db);
    // A batch that would wait a minute: only close() can write this hit in time.
    server = await serveEdge({ config, port: 0, recorder: { maxDelayMs: 60_000 } });
    const keys = await deriveKeys(SECRET_KEY);
    const token = signToken(keys, { kind: 'click', messageId, url: 'https://shop.example.com/spring?utm=mail' });

    const click = await fetch(`${server.url}/t/c/${token}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example.com/spring?utm=mail');
    const before = await database.db.select().from(events).where(eq(events.messageId, messageId));
    expect(before).toHaveLength(0);

    const url = server.url;
    await server.close();
    server = undefined;
    const after = await database.db.select().from(events).where(eq(events.messageId, messageId));
    expect(after).toMatchObject([{ type: 'click', url: 'https://shop.example.com/spring?utm=mail' }]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('names PORT when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serveEdge({ config, port })).rejects.toThrow(/^PORT: 127\.0\.0\.1:\d+ is already in use/);
    } finally {
      blocker.close();
    }
  });
});
