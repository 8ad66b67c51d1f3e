// The Node host after a SECRET_KEY rotation, over real HTTP: a click link sent under the
// retired key still redirects while SECRET_KEY_PREVIOUS holds that key, and is refused
// (404, never an open redirect) once it is dropped.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edgeConfigSchema, parseConfig } from '../../shared/config';
import { deriveKeys } from '../../shared/keys';
import { signToken } from '../../shared/tokens';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { insertMessageRow } from '../../test/helpers/message-row';
import { serveEdge, type EdgeServer } from './serve-edge';

const OLD = 'old-secret-key-0123456789-0123456789-abc';
const NEW = 'new-secret-key-0123456789-0123456789-xyz';
const DESTINATION = 'https://shop.example.com/spring';

describe('serveEdge after a SECRET_KEY rotation', () => {
  let database: TestDatabase;
  let server: EdgeServer | undefined;
  let token: string;

  beforeEach(async () => {
    database = await createTestDatabase();
    const messageId = await insertMessageRow(database.db);
    token = signToken(await deriveKeys(OLD), { kind: 'click', messageId, url: DESTINATION });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    database.close();
  });

  const serve = (env: Record<string, string>) =>
    serveEdge({ config: parseConfig(edgeConfigSchema, { DATABASE_URL: database.url, PUBLIC_URL: 'http://edge.test', SECRET_KEY: NEW, ...env }), port: 0 });

  it('redirects a click link signed under the retired key', async () => {
    server = await serve({ SECRET_KEY_PREVIOUS: OLD });
    const click = await fetch(`${server.url}/t/c/${token}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(DESTINATION);
  });

  it('refuses it once the retired key is dropped', async () => {
    server = await serve({});
    const click = await fetch(`${server.url}/t/c/${token}`, { redirect: 'manual' });
    expect(click.status).toBe(404);
    expect(click.headers.get('location')).toBeNull();
  });
});
