// The Worker bundle (edge/worker.ts, built by wrangler) running in workerd, on a migrated
// database file served by our Hrana server: the same path `npm run dev:worker` takes.
import { fileURLToPath } from 'node:url';
import { inArray } from 'drizzle-orm';
import { unstable_startWorker } from 'wrangler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHranaServer, type HranaServer } from '../node/hrana-server';
import { events } from '../shared/db/schema';
import { deriveKeys } from '../shared/keys';
import { signToken } from '../shared/tokens';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { insertMessageRow } from './helpers/message-row';

const SECRET_KEY = 'workerd-test-secret-0123456789-abcdefgh';
const wranglerConfig = fileURLToPath(new URL('../wrangler.toml', import.meta.url));

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;

/** Starts the Worker from wrangler.toml with these variables in place of its [vars] and secrets. */
async function startWorker(vars: Record<string, string>): Promise<{ worker: Worker; url: string }> {
  const worker = await unstable_startWorker({
    config: wranglerConfig,
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }])),
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'error' },
  });
  await worker.ready;
  return { worker, url: (await worker.url).origin };
}

let database: TestDatabase;
let hrana: HranaServer;
let worker: Worker;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  hrana = await startHranaServer({ file: database.url });
  ({ worker, url: base } = await startWorker({ DATABASE_URL: hrana.url, SECRET_KEY, PUBLIC_URL: 'http://edge.test' }));
});

afterAll(async () => {
  await worker?.dispose();
  await hrana?.close();
  database?.close();
});

async function eventsOf(messageIds: number[]) {
  return database.db.select().from(events).where(inArray(events.messageId, messageIds));
}

/** Tracking writes happen after the response; wait for them, briefly. */
async function waitForEvents(messageIds: number[], count: number) {
  for (let i = 0; i < 50; i++) {
    const rows = await eventsOf(messageIds);
    if (rows.length >= count) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return eventsOf(messageIds);
}

describe('the Worker in workerd', () => {
  it('answers /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('serves the pixel and the click redirect, refuses a tampered token, and records both hits in the database', async () => {
    const keys = await deriveKeys(SECRET_KEY);
    const opened = await insertMessageRow(database.db);
    const clicked = await insertMessageRow(database.db);
    const destination = 'https://shop.example.com/sale?from=mail';
    const openToken = await signToken(keys, { kind: 'open', messageId: opened });
    const clickToken = await signToken(keys, { kind: 'click', messageId: clicked, url: destination });

    const pixel = await fetch(`${base}/t/o/${openToken}`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(new Uint8Array(await pixel.arrayBuffer()).subarray(0, 6)).toEqual(new TextEncoder().encode('GIF89a'));

    const click = await fetch(`${base}/t/c/${clickToken}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(destination);

    // Same payload, MAC of another message: the redirector must not follow it.
    const forged = (await signToken(keys, { kind: 'click', messageId: clicked, url: 'https://evil.example.net/' })).split('.');
    const tampered = [forged[0], clickToken.split('.')[1], forged[2]].join('.');
    const refused = await fetch(`${base}/t/c/${tampered}`, { redirect: 'manual' });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('location')).toBeNull();

    // Exactly these two: the refused click is not recorded.
    const rows = await waitForEvents([opened, clicked], 2);
    expect(rows.map((r) => ({ type: r.type, messageId: r.messageId, url: r.url })).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'click', messageId: clicked, url: destination },
      { type: 'open', messageId: opened, url: null },
    ]);
  });

  it('answers 500 on a bad configuration and logs the variable by name, never its value', async () => {
    const weakSecret = 'too-short-secret-x9';
    // workerd's console reaches this process through wrangler's logger.
    const logged: string[] = [];
    const spies = (['error', 'log', 'warn'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' '))),
    );
    const { worker: misconfigured, url } = await startWorker({ DATABASE_URL: hrana.url, SECRET_KEY: weakSecret, PUBLIC_URL: 'http://edge.test' });
    try {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'INTERNAL', message: expect.stringMatching(/misconfigured/) } });
      for (let i = 0; i < 30 && !logged.some((l) => l.includes('SECRET_KEY')); i++) await new Promise((r) => setTimeout(r, 100));
      const log = logged.join('\n');
      expect(log).toMatch(/edgepost worker cannot start[\s\S]*SECRET_KEY: SECRET_KEY must be at least 32 characters/);
      expect(log).not.toContain(weakSecret);
      expect(body).not.toContain(weakSecret);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      await misconfigured.dispose();
    }
  });
});
