// The Mailgun driver against a local server that answers and checks like Mailgun's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailgunSettings } from '../../shared/drivers/mailgun-settings';
import { conformanceMessage, describeDriverConformance } from '../../test/helpers/driver-conformance';
import { startFakeMailgun, type FakeMailgun } from '../../test/helpers/fake-mailgun';
import { classifySendError } from '../send-error';
import type { Driver } from './driver';
import { MAILGUN_MESSAGE_VARIABLE } from '../../shared/drivers/message-marks';
import { createMailgunDriver } from './mailgun';

const API_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const DOMAIN = 'mg.shop.example';

async function failureOf(promise: Promise<unknown>) {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err, 'the send was expected to fail').not.toBeNull();
  return { err: err as Error, classified: classifySendError(err) };
}

/** A fetch that records each request and answers with the given response. */
function recordingFetch(answer: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const doFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer();
  }) as typeof fetch;
  return { calls, doFetch };
}

describe('mailgun driver', () => {
  let fake: FakeMailgun;
  let driver: Driver;
  const config = () => ({ domain: DOMAIN, region: 'us' as const, endpoint: fake.url });

  beforeAll(async () => {
    fake = await startFakeMailgun({ apiKey: API_KEY, domains: { [DOMAIN]: {}, 'new.shop.example': { state: 'unverified' } } });
    driver = createMailgunDriver({ config: config(), secrets: { apiKey: API_KEY } });
  });
  afterAll(() => fake.close());

  it('posts our MIME to messages.mime as form data, with our message id and tracking off', async () => {
    const message = conformanceMessage(41);
    const result = await driver.send(message);
    const request = fake.requests.at(-1)!;
    expect(request.domain).toBe(DOMAIN);
    expect(request.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(request.to).toBe('zoe41@example.org');
    expect(request.fields).toEqual({
      'o:tracking': 'no',
      'o:tracking-clicks': 'no',
      'o:tracking-opens': 'no',
      [`v:${MAILGUN_MESSAGE_VARIABLE}`]: '41',
    });
    expect(request.raw).toContain(`Message-ID: ${message.messageIdHeader}\r\n`);
    expect(request.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(result).toEqual({ providerMessageId: request.id, response: 'Queued. Thank you.' });
    expect(result.providerMessageId).not.toMatch(/[<>]/);
  });

  it.each([
    ['us', 'https://api.mailgun.net/v3/mg.shop.example/messages.mime'],
    ['eu', 'https://api.eu.mailgun.net/v3/mg.shop.example/messages.mime'],
  ] as const)('sends to the %s region host with basic auth api:<key>', async (region, url) => {
    const { calls, doFetch } = recordingFetch(() => Response.json({ id: '<a@b>', message: 'Queued. Thank you.' }));
    const regional = createMailgunDriver({ config: { domain: DOMAIN, region }, secrets: { apiKey: 'key-1' } }, { fetch: doFetch });
    await regional.send(conformanceMessage(5));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(url);
    expect(calls[0]!.init.method).toBe('POST');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe(`Basic ${Buffer.from('api:key-1').toString('base64')}`);
  });

  it('passes Retry-After on with a 429', async () => {
    fake.failNext('rate_limited');
    const { classified } = await failureOf(driver.send(conformanceMessage(6)));
    expect(classified).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 3000 });
    expect(classified.message).toContain('Too many requests');
  });

  it('halts when the domain is not in the account, since no message can go', async () => {
    const other = createMailgunDriver({ config: { ...config(), domain: 'other.example' }, secrets: { apiKey: API_KEY } });
    const { classified } = await failureOf(other.send(conformanceMessage(7)));
    expect(classified).toMatchObject({ outcome: 'halt', code: 'ECONFIG' });
    expect(classified.message).toContain('Domain not found');
  });

  it('retries a request that times out or cannot connect', async () => {
    const hanging = (async (_url: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)))) as typeof fetch;
    const slow = createMailgunDriver({ config: config(), secrets: { apiKey: API_KEY } }, { fetch: hanging, timeoutMs: 50 });
    expect((await failureOf(slow.send(conformanceMessage(8)))).classified).toMatchObject({ outcome: 'retry', code: 'ETIMEDOUT' });
    const closed = createMailgunDriver({ config: { ...config(), endpoint: 'http://127.0.0.1:1' }, secrets: { apiKey: API_KEY } });
    expect((await failureOf(closed.send(conformanceMessage(9)))).classified).toMatchObject({ outcome: 'retry', code: 'ECONNECTION' });
  });

  it('validates: refused key, unknown domain, unverified domain, unreachable endpoint', async () => {
    const withKey = (apiKey: string, domain = DOMAIN, endpoint = fake.url) =>
      createMailgunDriver({ config: { domain, region: 'eu', endpoint }, secrets: { apiKey } }).validateConfig();
    expect(await withKey(API_KEY)).toEqual([]);
    expect(await withKey('key-wrong')).toEqual([{ path: 'secrets.apiKey', message: 'the API key was refused by Mailgun (401)' }]);
    const [unknown] = await withKey(API_KEY, 'elsewhere.example');
    expect(unknown).toMatchObject({ path: 'config.domain' });
    expect(unknown!.message).toMatch(/elsewhere\.example is not in this Mailgun account in the eu region/);
    const [unverified] = await withKey(API_KEY, 'new.shop.example');
    expect(unverified).toMatchObject({ path: 'config.domain' });
    expect(unverified!.message).toContain('unverified');
    const [unreachable] = await withKey(API_KEY, DOMAIN, 'http://127.0.0.1:1');
    expect(unreachable).toMatchObject({ path: 'config.endpoint' });
    expect(unreachable!.message).toContain('could not reach Mailgun');
  });

  it('reads delivery status from the Events API', async () => {
    const { providerMessageId } = await driver.send(conformanceMessage(11));
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('accepted');
    const now = Date.now() / 1000;
    fake.events.get(providerMessageId!)!.push({ event: 'failed', severity: 'temporary', timestamp: now + 1 });
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('deferred');
    fake.events.get(providerMessageId!)!.push({ event: 'delivered', timestamp: now + 2 }, { event: 'opened', timestamp: now + 3 });
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('delivered');
    expect(await driver.getDeliveryStatus('nothing@mg.shop.example')).toBe('unknown');
  });
});

describe('mailgun settings', () => {
  it('defaults the region to us and accepts an https endpoint', () => {
    expect(mailgunSettings.config.parse({ domain: DOMAIN })).toEqual({ domain: DOMAIN, region: 'us' });
    expect(mailgunSettings.config.safeParse({ domain: DOMAIN, region: 'eu', endpoint: 'https://mg-proxy.internal' }).success).toBe(true);
  });

  it('names what is wrong', () => {
    const region = mailgunSettings.config.safeParse({ domain: DOMAIN, region: 'eu-west-9' });
    expect(region.error?.issues[0]).toMatchObject({ path: ['region'], message: expect.stringContaining('region "eu-west-9" does not exist') });
    const endpoint = mailgunSettings.config.safeParse({ domain: DOMAIN, endpoint: 'http://mg-proxy.internal' });
    expect(endpoint.error?.issues[0]).toMatchObject({ path: ['endpoint'], message: expect.stringContaining('https') });
    expect(mailgunSettings.config.safeParse({ domain: DOMAIN, endpoint: 'http://127.0.0.1:8080' }).success).toBe(true);
    expect(mailgunSettings.config.safeParse({ domain: DOMAIN, endpoint: 'not a url' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['endpoint'], message: expect.stringContaining('endpoint must be a URL') }),
    ]);
    expect(mailgunSettings.config.safeParse({ domain: 'not a domain' }).error?.issues.map((i) => i.path)).toEqual([['domain']]);
    expect(mailgunSettings.config.safeParse({ domain: 'localhost' }).success).toBe(false);
    expect(mailgunSettings.config.safeParse({}).error?.issues[0]).toMatchObject({ path: ['domain'], message: expect.stringContaining('domain is required') });
    expect(mailgunSettings.secrets.safeParse({}).error?.issues[0]).toMatchObject({ path: ['apiKey'], message: expect.stringContaining('apiKey is required') });
    expect(mailgunSettings.secrets.safeParse({ apiKey: '  ' }).error?.issues[0]?.path).toEqual(['apiKey']);
  });
});

describeDriverConformance({
  name: 'mailgun',
  async start() {
    const fake = await startFakeMailgun({ apiKey: API_KEY, domains: { [DOMAIN]: {} } });
    const config = { domain: DOMAIN, region: 'us' as const, endpoint: fake.url };
    const driver = createMailgunDriver({ config, secrets: { apiKey: API_KEY } });
    return {
      driver,
      accepted: () => fake.accepted(),
      failNext: (failure) => fake.failNext(failure),
      withBadCredentials: () => createMailgunDriver({ config, secrets: { apiKey: 'key-refused' } }),
      close: () => fake.close(),
    };
  },
});
