import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app';
import { createMemoryReplayGuard } from '../memory-replay-guard';
import type { AppDeps } from '../deps';
import { messages } from '../../shared/db/schema';
import { createTestApp, type TestApp } from '../../test/helpers/app';
import { readFixture, readFixtureJson, describeWithFixtures } from '../../test/helpers/fixtures';
import { seedMessages } from '../../test/helpers/tracking-seed';
import { createWebhookSourceCache, SOURCE_CACHE_MS } from '../webhook-source-cache';
import { MAX_HOOK_BODY_BYTES } from './relay-hooks';

const POSTMARK_USER = 'postmark-hooks';
const POSTMARK_PASSWORD = 'correct-horse-battery-staple';
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
/** A fixture as a fetch body (a Buffer is not typed as one). */
const fixtureBytes = (path: string) => new Uint8Array(readFixture(path));
/** A JSON answer, untyped, for assertions. */
const jsonOf = async (res: Response): Promise<any> => res.json();
const MAILGUN_KEY = 'key-0p6mqbf74lb20gzq9f4dhpn9rg3zyk26'; // the key the Mailgun fixtures are signed with (vectors/mailgun-signature-vectors.json)

describe('POST /hooks/:provider', () => {
  let t: TestApp;
  let warnings: string[];
  beforeEach(async () => {
    t = await createTestApp();
    warnings = [];
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    t.close();
  });

  const count = async (table: string) => Number((await t.database.client.execute(`select count(*) as n from ${table}`)).rows[0]!.n);
  const hook = (provider: string, body: BodyInit, headers: Record<string, string> = {}) =>
    t.request(`/hooks/${provider}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const addPostmarkSource = async () => {
    const res = await t.api('POST', '/api/relay-webhooks', { provider: 'postmark', name: 'Postmark', config: { username: POSTMARK_USER }, secrets: { password: POSTMARK_PASSWORD } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };

  it('answers 404 for a relay it does not know, before reading anything', async () => {
    const res = await hook('pigeon', '{}');
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error.message).toContain('mailgun');
    expect((await t.request('/hooks/mailgun')).status).toBe(405); // only Elastic Email notifies by GET
  });

  it('takes Elastic Email notifications by GET, authenticated by the token in the query', async () => {
    const token = 'ee-token-0123456789abcdefghij';
    expect((await t.api('POST', '/api/relay-webhooks', { provider: 'elasticemail', name: 'Elastic Email', secrets: { token } })).status).toBe(201);
    const [messageId] = (await seedMessages(t.database.db, 1)).messageIds;
    const query = (tokenValue: string) => new URLSearchParams({ token: tokenValue, status: 'Error', category: 'NoMailbox', to: 'reader1@example.com', postback: String(messageId), transaction: 't-1', date: '12/22/2017 9:03:39 PM' });
    expect((await t.request(`/hooks/elasticemail?${query('ee-token-wrong-wrong-wrong-wrong')}`)).status).toBe(401);
    const res = await t.request(`/hooks/elasticemail?${query(token)}`);
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ received: 1 });
    const suppressed = await t.database.client.execute('select email, reason from suppressions');
    expect(suppressed.rows.map((r) => ({ ...r }))).toEqual([{ email: 'reader1@example.com', reason: 'hard_bounce' }]);
  });

  it('refuses a body over 5 MB with 413, whether it declares its length or not', async () => {
    await addPostmarkSource();
    const big = 'x'.repeat(MAX_HOOK_BODY_BYTES + 1);
    const declared = await hook('postmark', big, { 'content-length': String(big.length), authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) });
    expect(declared.status).toBe(413);
    // A chunked body with no length is cut off as soon as it passes the limit.
    const chunks = [new Uint8Array(MAX_HOOK_BODY_BYTES), new Uint8Array(1)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await t.request('/hooks/postmark', { method: 'POST', body: stream, duplex: 'half', headers: { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) } } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await jsonOf(streamed)).error.message).toContain('5 MB');
    expect(await count('events')).toBe(0);
  });

  it('answers 401 with one fixed body when no source is saved, or none matches, and logs why', async () => {
    const body = fixtureBytes('webhooks/postmark-bounce.json');
    const none = await hook('postmark', body, { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) });
    expect(none.status).toBe(401);
    const noneBody = await none.text();

    await addPostmarkSource();
    const wrong = await hook('postmark', body, { authorization: basic(POSTMARK_USER, 'not-the-password-at-all') });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe(noneBody);
    expect(JSON.parse(noneBody).error.code).toBe('UNAUTHORIZED');

    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('no usable postmark source');
    expect(warnings.join('\n')).not.toContain(POSTMARK_PASSWORD);
    expect(warnings.join('\n')).not.toContain('HardBounce'); // nothing of the body
    expect(await count('events')).toBe(0);
    expect(await count('suppressions')).toBe(0);
  });

  it('uses a source as soon as the API saves it, and stops at once when the API deletes it', async () => {
    const body = fixtureBytes('webhooks/postmark-delivery.json');
    const auth = { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) };
    expect((await hook('postmark', body, auth)).status).toBe(401); // caches "no source"
    const id = await addPostmarkSource();
    expect((await hook('postmark', body, auth)).status).toBe(200);
    await t.api('PATCH', `/api/relay-webhooks/${id}`, { secrets: { password: 'another-password-entirely' } });
    expect((await hook('postmark', body, auth)).status).toBe(401);
    expect((await hook('postmark', body, { authorization: basic(POSTMARK_USER, 'another-password-entirely') })).status).toBe(200);
    await t.api('DELETE', `/api/relay-webhooks/${id}`);
    expect((await hook('postmark', body, { authorization: basic(POSTMARK_USER, 'another-password-entirely') })).status).toBe(401);
  });

  describeWithFixtures('with the Postmark module (basic auth)', () => {
    it('records a hard bounce once however often it is POSTed, matches our message and suppresses its address', async () => {
      const seed = await seedMessages(t.database.db, 1);
      const bounce = readFixtureJson('webhooks/postmark-bounce.json');
      await t.database.db.update(messages).set({ providerMessageId: bounce.MessageID }).where(eq(messages.id, seed.messageIds[0]!));
      await addPostmarkSource();

      for (let i = 0; i < 3; i++) {
        const res = await hook('postmark', fixtureBytes('webhooks/postmark-bounce.json'), { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ received: 1 });
      }
      expect(await count('events')).toBe(1);
      const suppressed = await t.database.client.execute('select email, reason from suppressions');
      // The address Postmark reports it delivered to (the fixture's), and the event is our message's, found through Postmark's MessageID.
      expect(suppressed.rows.map((r) => ({ ...r }))).toEqual([{ email: 'john@example.com', reason: 'hard_bounce' }]);
      const [event] = (await t.database.client.execute('select message_id from events')).rows;
      expect(event!.message_id).toBe(seed.messageIds[0]);

      const stats = await t.api('GET', `/api/campaigns/${seed.campaignId}/stats`);
      expect(stats.body.bounced).toEqual({ hard: 1, soft: 0 });
      const message = await t.api('GET', `/api/messages/${seed.messageIds[0]}`);
      expect(message.body.events.data).toEqual([expect.objectContaining({ type: 'bounce', bounceClass: 'hard', source: 'postmark', at: '2022-09-02T14:29:19.123Z' })]);
    });

    it('answers 400 with the reason for an authenticated body it cannot read', async () => {
      await addPostmarkSource();
      const res = await hook('postmark', '{"no":"record type"}', { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) });
      expect(res.status).toBe(400);
      expect((await jsonOf(res)).error.message).toContain('RecordType');
    });

    it('answers 503 when the events cannot be stored, and stores them on the retry', async () => {
      await addPostmarkSource();
      const send = (file: string) => hook('postmark', fixtureBytes(file), { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) });
      vi.spyOn(console, 'error').mockImplementation(() => {});
      expect((await send('webhooks/postmark-delivery.json')).status).toBe(200); // the source is now cached: only the write can fail
      await t.database.client.execute('alter table events rename to events_away');
      expect((await send('webhooks/postmark-bounce.json')).status).toBe(503);
      await t.database.client.execute('alter table events_away rename to events');
      expect((await send('webhooks/postmark-bounce.json')).status).toBe(200);
      expect((await t.database.client.execute('select type from events order by id')).rows.map((r) => r.type)).toEqual(['delivered', 'bounce']);
    });

    it('notes when the relay last reached us, at most once a minute per source', async () => {
      const id = await addPostmarkSource();
      const before = Date.now();
      const send = () => hook('postmark', fixtureBytes('webhooks/postmark-open.json'), { authorization: basic(POSTMARK_USER, POSTMARK_PASSWORD) });
      expect((await send()).status).toBe(200);
      await t.background.drain();
      const first = (await t.api('GET', `/api/relay-webhooks/${id}`)).body.lastReceivedAt;
      expect(Date.parse(first)).toBeGreaterThanOrEqual(before);

      await t.database.client.execute({ sql: 'update relay_webhooks set last_received_at = 1 where id = ?', args: [id] });
      expect((await send()).status).toBe(200);
      await t.background.drain();
      expect((await t.api('GET', `/api/relay-webhooks/${id}`)).body.lastReceivedAt).toBe(new Date(1).toISOString());
    });
  });

  describeWithFixtures('with the Mailgun module (HMAC)', () => {
    const fixture = 'webhooks/mailgun-failed-permanent.json';
    const signedAt = Number(readFixtureJson(fixture).signature.timestamp) * 1000;
    // The fixtures were signed in 2022: the app's webhook context (and its replay guard) runs on a clock inside their window.
    const atSigningTime = (deps: AppDeps) => {
      const now = () => signedAt + 1000;
      const webhooks = { ...deps.webhooks, now, replay: createMemoryReplayGuard(now) };
      const app = createApp({ ...deps, webhooks });
      return (body: BodyInit) => app.request('/hooks/mailgun', { method: 'POST', headers: { 'content-type': 'application/json' }, body }, {}, t.background);
    };
    const addMailgunSource = async () => expect((await t.api('POST', '/api/relay-webhooks', { provider: 'mailgun', name: 'Mailgun', secrets: { signingKey: MAILGUN_KEY } })).status).toBe(201);

    it('records a genuine hard bounce once and suppresses the address; its signature carrying other events is refused', async () => {
      await addMailgunSource();
      const post = atSigningTime(t.deps);
      const res = await post(fixtureBytes(fixture));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: 1 });
      // Mailgun's retry of a delivery whose 200 it lost: the same body, stored once, answered 200.
      expect((await post(fixtureBytes(fixture))).status).toBe(200);
      // The same signature (it covers only timestamp and token) over other event-data: a replay.
      const signed = readFixtureJson(fixture);
      const forged = { ...signed, 'event-data': { ...signed['event-data'], recipient: 'bob@example.com', id: 'forged-event' } };
      expect((await post(JSON.stringify(forged))).status).toBe(401);
      expect((await post(JSON.stringify(forged))).status).toBe(401);
      expect(await count('events')).toBe(1);
      const suppressed = await t.database.client.execute('select email, reason from suppressions');
      expect(suppressed.rows.map((r) => ({ ...r }))).toEqual([{ email: 'alice@example.com', reason: 'hard_bounce' }]);
    });

    it("stores the relay's retry of a request that failed, and a failure never frees the token for another body", async () => {
      await addMailgunSource();
      const post = atSigningTime(t.deps);
      await t.database.client.execute('alter table events rename to events_away');
      expect((await post(fixtureBytes(fixture))).status).toBe(503);
      const signed = readFixtureJson(fixture);
      const forged = JSON.stringify({ ...signed, 'event-data': { ...signed['event-data'], recipient: 'bob@example.com', id: 'forged-event' } });
      expect((await post(forged)).status).toBe(401);
      await t.database.client.execute('alter table events_away rename to events');
      expect((await post(fixtureBytes(fixture))).status).toBe(200);
      expect(await count('events')).toBe(1);
      expect((await post(forged)).status).toBe(401);
    });

    it('refuses a bad signature with 401 and writes nothing', async () => {
      await addMailgunSource();
      const post = atSigningTime(t.deps);
      const signed = readFixtureJson(fixture);
      const flipped = signed.signature.signature.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
      const res = await post(JSON.stringify({ ...signed, signature: { ...signed.signature, signature: flipped } }));
      expect(res.status).toBe(401);
      // Genuine, but outside the 5-minute window of the real clock.
      expect((await hook('mailgun', fixtureBytes(fixture))).status).toBe(401);
      expect(await count('events')).toBe(0);
      expect(await count('suppressions')).toBe(0);
      expect(warnings.join('\n')).toContain('matches no saved signing key');
    });
  });
});

describeWithFixtures('POST /hooks/ses: SNS subscription confirmation', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    t.close();
  });

  const confirmation = readFixtureJson('webhooks/sns-subscriptionconfirmation.json');
  /** The app, with an outbound fetch that plays SNS: certificates from the fixtures, and `answer` for the SubscribeURL. */
  const withSns = (answer: number) => {
    const asked: string[] = [];
    const snsFetch = async (input: RequestInfo | URL) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      asked.push(url.href);
      if (url.pathname.endsWith('.pem')) return new Response(fixtureBytes(`vectors/certs${url.pathname}`));
      return new Response('<ConfirmSubscriptionResponse/>', { status: answer });
    };
    const app = createApp({ ...t.deps, webhooks: { ...t.deps.webhooks, fetch: snsFetch as typeof fetch, keyCache: new Map() } });
    const post = () => app.request('/hooks/ses', { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: fixtureBytes('webhooks/sns-subscriptionconfirmation.json') }, {}, t.background);
    return { asked, post };
  };
  const addSesSource = async (topicArn: string) =>
    expect((await t.api('POST', '/api/relay-webhooks', { provider: 'ses', name: 'SES', config: { topicArns: [topicArn] } })).status).toBe(201);

  it('confirms a signed subscription for a saved topic by GETting its SubscribeURL', async () => {
    await addSesSource(confirmation.TopicArn);
    const sns = withSns(200);
    const res = await sns.post();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 0, confirmed: true });
    expect(sns.asked).toEqual([confirmation.SigningCertURL, confirmation.SubscribeURL]);
  });

  it('answers 502 when SNS does not accept the confirmation, so SNS sends it again', async () => {
    await addSesSource(confirmation.TopicArn);
    const sns = withSns(500);
    expect((await sns.post()).status).toBe(502);
    expect(sns.asked).toContain(confirmation.SubscribeURL);
  });

  it('never confirms, nor fetches anything, for a topic no source names', async () => {
    await addSesSource('arn:aws:sns:us-west-2:123456789012:someone-else');
    const sns = withSns(200);
    expect((await sns.post()).status).toBe(401);
    expect(sns.asked).toEqual([]);
  });
});

describe('webhook source cache', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it(`reads a provider's sources again after ${SOURCE_CACHE_MS / 1000} s, or at once when invalidated`, async () => {
    let now = 1_000_000;
    const cache = createWebhookSourceCache(t.database.db, [t.deps.keys.secrets], () => now);
    expect(await cache.sources('mailgun')).toEqual([]);
    // Saved through another app (another isolate): this cache sees it only once it expires.
    const res = await t.api('POST', '/api/relay-webhooks', { provider: 'mailgun', name: 'M', secrets: { signingKey: 'key-1' } });
    now += SOURCE_CACHE_MS - 1;
    expect(await cache.sources('mailgun')).toEqual([]);
    now += 1;
    expect(await cache.sources('mailgun')).toEqual([{ id: res.body.id, config: {}, secrets: { signingKey: 'key-1' } }]);

    await t.api('PATCH', `/api/relay-webhooks/${res.body.id}`, { secrets: { signingKey: 'key-2' } });
    expect((await cache.sources('mailgun'))[0]!.secrets).toEqual({ signingKey: 'key-1' });
    cache.invalidate();
    expect((await cache.sources('mailgun'))[0]!.secrets).toEqual({ signingKey: 'key-2' });
  });

  it('skips a source whose secrets cannot be opened, saying which one and never its values', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    const good = await t.api('POST', '/api/relay-webhooks', { provider: 'mailgun', name: 'Good', secrets: { signingKey: 'key-good' } });
    const bad = await t.api('POST', '/api/relay-webhooks', { provider: 'mailgun', name: 'Bad', secrets: { signingKey: 'key-bad' } });
    await t.database.client.execute({ sql: "update relay_webhooks set secrets = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA' where id = ?", args: [bad.body.id] });
    const cache = createWebhookSourceCache(t.database.db, [t.deps.keys.secrets]);
    expect((await cache.sources('mailgun')).map((s) => s.id)).toEqual([good.body.id]);
    expect(errors.join('\n')).toContain(`relay webhook ${bad.body.id} (mailgun) is skipped`);
    expect(errors.join('\n')).not.toContain('key-');
    vi.restoreAllMocks();
  });
});

describe('API document', () => {
  it('describes POST /hooks/{provider} as public, with every answer it gives, and the feedback API routes', async () => {
    const t = await createTestApp();
    try {
      const doc = (await (await t.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };
      const hook = doc.paths['/hooks/{provider}']!.post!;
      expect(hook.security).toEqual([]);
      expect(Object.keys(hook.responses).sort()).toEqual(['200', '400', '401', '404', '405', '413', '502', '503']);
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      expect(routes).toEqual(
        expect.arrayContaining([
          'POST /api/relay-webhooks', 'GET /api/relay-webhooks', 'GET /api/relay-webhooks/{id}', 'PATCH /api/relay-webhooks/{id}', 'DELETE /api/relay-webhooks/{id}',
          'GET /api/suppressions', 'POST /api/suppressions', 'DELETE /api/suppressions/{email}',
          'GET /api/messages/{id}', 'GET /api/messages/{id}/events', 'GET /api/subscribers/{id}/events',
          'GET /api/settings', 'PATCH /api/settings',
        ]),
      );
    } finally {
      t.close();
    }
  });
});
