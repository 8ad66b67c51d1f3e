// The Worker bundle (edge/worker.ts, built by wrangler) running in workerd, on a migrated
// database file served by our Hrana server: the same path `npm run dev:worker` takes. Hits
// and delivery events go through the local Cloudflare Queue (wrangler.toml's EVENTS) and
// the Worker's own queue() consumer, as they would on Cloudflare.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eq, inArray } from 'drizzle-orm';
import { unstable_startWorker } from 'wrangler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../node/free-port';
import { startHranaServer, type HranaServer } from '../node/hrana-server';
import { events, suppressions } from '../shared/db/schema';
import { deriveKeys } from '../shared/keys';
import { createRelayWebhook } from '../shared/queries/relay-webhooks';
import { encryptSecrets } from '../shared/secret-box';
import { signToken } from '../shared/tokens';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { describeWithFixtures, readFixtureJson } from './helpers/fixtures';
import { insertMessageRow } from './helpers/message-row';
import { seedMessages } from './helpers/tracking-seed';
import { ensureDashboardBuilt } from '../dashboard/scripts/ensure-built';

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
// A fixed port, so the database can be taken down and brought back where the Worker looks.
let hranaPort: number;
let worker: Worker;
let base: string;

beforeAll(async () => {
  // wrangler serves the dashboard's files ([assets] in wrangler.toml) and will not start without them.
  ensureDashboardBuilt(console.log);
  database = await createTestDatabase();
  hranaPort = await freePort();
  hrana = await startHranaServer({ file: database.url, port: hranaPort });
  ({ worker, url: base } = await startWorker({ DATABASE_URL: hrana.url, SECRET_KEY, PUBLIC_URL: 'http://edge.test' }));
});

afterAll(async () => {
  await worker?.dispose();
  await hrana?.close();
  database?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the database down where the Worker looks for it: the port still takes connections,
 * so we can see the consumer try, but drops each at once. `bringBack` serves the file again.
 */
async function takeDatabaseDown(): Promise<{ attempts(): number; bringBack(): Promise<void> }> {
  await hrana.close();
  let attempts = 0;
  const refuser = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => refuser.listen(hranaPort, '127.0.0.1', resolve));
  return {
    attempts: () => attempts,
    async bringBack() {
      await new Promise<void>((resolve) => refuser.close(() => resolve()));
      hrana = await startHranaServer({ file: database.url, port: hranaPort });
    },
  };
}

/** Collects what workerd logs (it reaches this process through wrangler's logger) until restored. */
function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies = (['error', 'log', 'warn'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
  );
  return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

async function eventsOf(messageIds: number[]) {
  return database.db.select().from(events).where(inArray(events.messageId, messageIds));
}

/** Tracking writes happen after the response, through the queue (batches wait up to 2 s); wait for them. */
async function waitForEvents(messageIds: number[], count: number, seconds = 10) {
  for (let i = 0; i < seconds * 10; i++) {
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
    const openToken = signToken(keys, { kind: 'open', messageId: opened });
    const clickToken = signToken(keys, { kind: 'click', messageId: clicked, url: destination });

    const pixel = await fetch(`${base}/t/o/${openToken}`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(new Uint8Array(await pixel.arrayBuffer()).subarray(0, 6)).toEqual(new TextEncoder().encode('GIF89a'));

    const click = await fetch(`${base}/t/c/${clickToken}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(destination);

    // Same payload, MAC of another message: the redirector must not follow it.
    const forged = (signToken(keys, { kind: 'click', messageId: clicked, url: 'https://evil.example.net/' })).split('.');
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

  it('answers hits while the database is down, keeps them on the queue, and writes them in batches once it is back', async () => {
    const keys = await deriveKeys(SECRET_KEY);
    const { messageIds } = await seedMessages(database.db, 150);
    const tokens = messageIds.map((messageId) => signToken(keys, { kind: 'open', messageId }));
    const logs = captureLogs();
    try {
      const down = await takeDatabaseDown();
      try {
        const statuses = await Promise.all(
          tokens.map(async (token) => {
            const res = await fetch(`${base}/t/o/${token}`);
            await res.arrayBuffer();
            return res.status;
          }),
        );
        expect(statuses.filter((status) => status === 200)).toHaveLength(150);
        // The consumer takes a batch and cannot reach the database: the batch goes back on the queue.
        for (let i = 0; i < 150 && down.attempts() === 0; i++) await sleep(100);
        expect(down.attempts()).toBeGreaterThan(0);
        expect(await eventsOf(messageIds)).toHaveLength(0);
      } finally {
        await down.bringBack();
      }
      // The queue's retry (5 s later) finds the database back: every hit is written, once.
      const rows = await waitForEvents(messageIds, 150, 30);
      expect(rows.map((r) => r.messageId).sort((a, b) => a! - b!)).toEqual(messageIds);
      expect(rows.every((r) => r.type === 'open')).toBe(true);
      // The failed attempt names its batch: hits of many requests packed together (up to 100 a
      // message, as many as reached the queue within max_batch_timeout), retried together after 5 s.
      const failed = /event queue: (\d+) message\(s\), (\d+) event\(s\), not stored \(attempt 1\): .*; retrying in 5 s/.exec(logs.lines.join('\n'));
      expect(failed).not.toBeNull();
      const [messagesFailed, hitsFailed] = [Number(failed![1]), Number(failed![2])];
      expect(hitsFailed).toBeGreaterThan(messagesFailed);
      expect(hitsFailed).toBeLessThanOrEqual(150);
    } finally {
      logs.restore();
    }
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

describeWithFixtures('relay webhooks on the Worker', () => {
  const user = 'postmark-hooks';
  const password = 'workerd-postmark-password-0123';
  const post = (body: unknown) =>
    fetch(`${base}/hooks/postmark`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${user}:${password}`)}` },
      body: JSON.stringify(body),
    });

  it('acknowledges Postmark webhooks once their events are on the queue, and the consumer records each event once and acts on it', async () => {
    const keys = await deriveKeys(SECRET_KEY);
    // Inserted directly, as the API would store it: config in clear, secrets sealed under SECRET_KEY.
    await createRelayWebhook(database.db, { provider: 'postmark', name: 'Postmark', config: { username: user }, secrets: await encryptSecrets(keys.secrets, { password }) });
    const delivered = await insertMessageRow(database.db);
    const bounced = await insertMessageRow(database.db, 'gone@example.com');
    const delivery = { ...readFixtureJson('webhooks/postmark-delivery.json'), MessageID: 'pm-workerd-1', Metadata: { edgepost_message: String(delivered) } };
    const bounce = { ...readFixtureJson('webhooks/postmark-bounce.json'), ID: 4242, MessageID: 'pm-workerd-2', Email: 'gone@example.com', Metadata: { edgepost_message: String(bounced) } };

    // Postmark redelivers the delivery: three requests, two events. The queue is first in, first out.
    const answers = [];
    for (const body of [delivery, delivery, bounce]) {
      const res = await post(body);
      answers.push([res.status, await res.json()]);
    }
    expect(answers).toEqual([
      [200, { received: 1 }],
      [200, { received: 1 }],
      [200, { received: 1 }],
    ]);

    // Generous: a batch waits up to 2 s to fill, and one that fails on a busy machine comes back 5 s later.
    const rows = await waitForEvents([delivered, bounced], 2, 20);
    expect(rows.map((r) => ({ type: r.type, messageId: r.messageId, source: r.source, bounceClass: r.bounceClass })).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'bounce', messageId: bounced, source: 'postmark', bounceClass: 'hard' },
      { type: 'delivered', messageId: delivered, source: 'postmark', bounceClass: null },
    ]);
    expect(await database.db.select({ reason: suppressions.reason }).from(suppressions).where(eq(suppressions.email, 'gone@example.com'))).toEqual([{ reason: 'hard_bounce' }]);
  });
});
