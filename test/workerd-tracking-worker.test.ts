// The tracking Worker (wrangler.tracking.toml, edge/tracking-worker.ts) in workerd, run the
// way its config says: `wrangler dev` with the main Worker beside it, sharing the EVENTS
// queue. It answers tracking links from the token alone; the main Worker's consumer writes
// the hits to a migrated database file served by our Hrana server.
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHranaServer, type HranaServer } from '../node/hrana-server';
import { events } from '../shared/db/schema';
import { deriveKeys } from '../shared/keys';
import { signToken } from '../shared/tokens';
import { ensureDashboardBuilt } from '../dashboard/scripts/ensure-built';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { insertMessageRow } from './helpers/message-row';
import { startTrackingDev, type TrackingDev } from './helpers/wrangler-dev';

const SECRET_KEY = 'tracking-worker-test-secret-0123456789-abc';

let database: TestDatabase;
let hrana: HranaServer;
let dev: TrackingDev;

beforeAll(async () => {
  // The main Worker's config serves the dashboard's files ([assets]); wrangler will not start without them.
  ensureDashboardBuilt(console.log);
  database = await createTestDatabase();
  hrana = await startHranaServer({ file: database.url, port: 0 });
  dev = await startTrackingDev(hrana.url, SECRET_KEY);
});

afterAll(async () => {
  await dev?.stop();
  await hrana?.close();
  database?.close();
});

async function waitForEvents(messageIds: number[], count: number) {
  const read = () => database.db.select().from(events).where(inArray(events.messageId, messageIds));
  for (let i = 0; i < 150; i++) {
    const rows = await read();
    if (rows.length >= count) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return read();
}

describe('the tracking Worker in workerd', () => {
  it('serves the pixel and the click from the token, and the main Worker writes both hits with their verdicts', async () => {
    const keys = await deriveKeys(SECRET_KEY);
    const opened = await insertMessageRow(database.db);
    const clicked = await insertMessageRow(database.db);
    const destination = 'https://shop.example.com/sale?from=mail';

    const pixel = await fetch(`${dev.origin}/t/o/${signToken(keys, { kind: 'open', messageId: opened })}`, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Thunderbird/128.0' } });
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(new Uint8Array(await pixel.arrayBuffer()).subarray(0, 6)).toEqual(new TextEncoder().encode('GIF89a'));

    // A scanner's HEAD on the link: redirected like anyone, recorded as a machine.
    const click = await fetch(`${dev.origin}/t/c/${signToken(keys, { kind: 'click', messageId: clicked, url: destination })}`, { method: 'HEAD', redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(destination);

    const rows = await waitForEvents([opened, clicked], 2);
    expect(rows.map((r) => ({ type: r.type, messageId: r.messageId, url: r.url, machine: r.machine })).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'click', messageId: clicked, url: destination, machine: true },
      { type: 'open', messageId: opened, url: null, machine: false },
    ]);
  });

  it('refuses a token signed with another key, records nothing for it, and serves nothing but tracking links', async () => {
    const strangerKeys = await deriveKeys('another-install-secret-0123456789-abcdefgh');
    const messageId = await insertMessageRow(database.db);
    const forged = await fetch(`${dev.origin}/t/c/${signToken(strangerKeys, { kind: 'click', messageId, url: 'https://evil.example.net/' })}`, { redirect: 'manual' });
    expect(forged.status).toBe(404);
    expect(forged.headers.get('location')).toBeNull();
    // The pixel answers a GIF whatever the token, and records nothing for a forged one.
    const pixel = await fetch(`${dev.origin}/t/o/${signToken(strangerKeys, { kind: 'open', messageId })}`);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    await pixel.arrayBuffer();

    // No API, dashboard or unsubscribe page on the tracking host.
    for (const path of ['/api/campaigns', '/api/openapi.json', '/', '/u/anything', '/hooks/ses']) {
      const res = await fetch(`${dev.origin}${path}`);
      expect({ path, status: res.status, body: await res.text() }).toEqual({ path, status: 404, body: 'Not found: this host serves tracking links only.' });
    }

    // A hit of a genuine token, sent after the forged ones, reaches the database; the forged ones never do.
    const keys = await deriveKeys(SECRET_KEY);
    const genuine = await insertMessageRow(database.db);
    await (await fetch(`${dev.origin}/t/o/${signToken(keys, { kind: 'open', messageId: genuine })}`)).arrayBuffer();
    expect((await waitForEvents([genuine], 1)).map((r) => r.type)).toEqual(['open']);
    expect(await waitForEvents([messageId], 0)).toEqual([]);
  });

  it('answers 500 with a key too short and logs the variable by name, never its value', async () => {
    const weakSecret = 'too-short-secret-x9';
    const misconfigured = await startTrackingDev(hrana.url, weakSecret);
    try {
      const res = await fetch(`${misconfigured.origin}/t/o/anything`);
      expect(res.status).toBe(500);
      expect(await res.text()).toMatch(/misconfigured; its log names the variables to fix/);
      for (let i = 0; i < 30 && !misconfigured.output().includes('SECRET_KEY:'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(misconfigured.output()).toMatch(/edgepost tracking worker cannot start: Invalid configuration:\s+SECRET_KEY: SECRET_KEY must be at least 32 characters/);
      expect(misconfigured.output()).not.toContain(weakSecret);
    } finally {
      await misconfigured.stop();
    }
  });
});
