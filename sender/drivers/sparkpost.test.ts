// The SparkPost driver against a local server that answers and checks like SparkPost's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sparkpostSettings } from '../../shared/drivers/sparkpost-settings';
import { conformanceMessage, describeDriverConformance } from '../../test/helpers/driver-conformance';
import { startFakeSparkpost, type FakeSparkpost } from '../../test/helpers/fake-sparkpost';
import { classifySendError } from '../send-error';
import type { Driver } from './driver';
import { MESSAGE_ID_FIELD } from '../../shared/drivers/message-marks';
import { createSparkpostDriver } from './sparkpost';

const API_KEY = '6a2b7c0f1e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b';

async function failureOf(promise: Promise<unknown>) {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err, 'the send was expected to fail').not.toBeNull();
  return classifySendError(err);
}

describe('sparkpost driver', () => {
  let fake: FakeSparkpost;
  let driver: Driver;
  const config = () => ({ region: 'us' as const, endpoint: fake.url });

  beforeAll(async () => {
    fake = await startFakeSparkpost({ apiKey: API_KEY });
    driver = createSparkpostDriver({ config: config(), secrets: { apiKey: API_KEY } });
  });
  afterAll(() => fake.close());

  it('sends our MIME as email_rfc822 with tracking off and our message id in metadata', async () => {
    const message = conformanceMessage(41);
    const result = await driver.send(message);
    const request = fake.requests.at(-1)!;
    expect(request.contentType).toBe('application/json');
    expect(Object.keys(request.body).sort()).toEqual(['content', 'metadata', 'options', 'recipients']);
    expect(request.body.options).toEqual({ open_tracking: false, click_tracking: false });
    expect(request.body.metadata).toEqual({ [MESSAGE_ID_FIELD]: '41' });
    expect(request.body.recipients).toEqual([{ address: { email: 'zoe41@example.org' } }]);
    expect(Object.keys(request.body.content!)).toEqual(['email_rfc822']);
    expect(request.body.content!.email_rfc822).toContain(`Message-ID: ${message.messageIdHeader}\r\n`);
    expect(result.providerMessageId).toBe(request.id);
  });

  it.each([
    ['us', 'https://api.sparkpost.com/api/v1/transmissions'],
    ['eu', 'https://api.eu.sparkpost.com/api/v1/transmissions'],
  ] as const)('sends to the %s region host with the bare key as Authorization', async (region, url) => {
    const calls: { url: string; init: RequestInit }[] = [];
    const doFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), init: init ?? {} });
      return Response.json({ results: { total_rejected_recipients: 0, total_accepted_recipients: 1, id: '1' } });
    }) as typeof fetch;
    await createSparkpostDriver({ config: { region }, secrets: { apiKey: 'sp-key' } }, { fetch: doFetch }).send(conformanceMessage(5));
    expect(calls.map((c) => c.url)).toEqual([url]);
    expect(calls[0]!.init.headers).toMatchObject({ authorization: 'sp-key', 'content-type': 'application/json' });
  });

  it('treats a recipient rejected in a 200 answer, or suppressed (1902), as permanent', async () => {
    fake.failNext('recipient_rejected');
    const rejected = await failureOf(driver.send(conformanceMessage(6)));
    expect(rejected).toMatchObject({ outcome: 'permanent', code: 'EENVELOPE' });
    expect(rejected.message).toContain('total_rejected_recipients: 1');
    fake.suppressed.add('zoe7@example.org');
    const suppressed = await failureOf(driver.send(conformanceMessage(7)));
    expect(suppressed).toMatchObject({ outcome: 'permanent', code: 'EENVELOPE' });
    expect(suppressed.message).toContain('Message generation rejected: recipient address suppressed due to customer policy');
  });

  it('passes Retry-After on with a 429', async () => {
    fake.failNext('rate_limited');
    expect(await failureOf(driver.send(conformanceMessage(8)))).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 4000 });
  });

  it('slows down on 420 (sending limit exceeded) and retries timeouts', async () => {
    const limited = (async () => Response.json({ errors: [{ message: 'Exceed Sending Limit (daily)', code: '2102' }] }, { status: 420 })) as typeof fetch;
    const over = await failureOf(createSparkpostDriver({ config: config(), secrets: { apiKey: API_KEY } }, { fetch: limited }).send(conformanceMessage(9)));
    expect(over).toMatchObject({ outcome: 'rate_limited' });
    expect(over.message).toContain('Exceed Sending Limit');
    const hanging = (async (_url: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)))) as typeof fetch;
    const slow = createSparkpostDriver({ config: config(), secrets: { apiKey: API_KEY } }, { fetch: hanging, timeoutMs: 50 });
    expect(await failureOf(slow.send(conformanceMessage(10)))).toMatchObject({ outcome: 'retry', code: 'ETIMEDOUT' });
  });

  it('validates: refused key names the region, a key without permission, an unreachable endpoint', async () => {
    const validate = (apiKey: string, endpoint = fake.url, fetchImpl?: typeof fetch) =>
      createSparkpostDriver({ config: { region: 'eu', endpoint }, secrets: { apiKey } }, fetchImpl ? { fetch: fetchImpl } : {}).validateConfig();
    expect(await validate(API_KEY)).toEqual([]);
    const [refused] = await validate('wrong');
    expect(refused).toMatchObject({ path: 'secrets.apiKey' });
    expect(refused!.message).toMatch(/^the API key was refused by SparkPost \(401\).*eu region/);
    const forbidden = (async () => Response.json({ errors: [{ message: 'Forbidden.', code: '1100' }] }, { status: 403 })) as typeof fetch;
    const [lacking] = await validate(API_KEY, fake.url, forbidden);
    expect(lacking).toMatchObject({ path: 'secrets.apiKey', message: expect.stringContaining('Transmissions: Read/Write') });
    const [unreachable] = await validate(API_KEY, 'http://127.0.0.1:1');
    expect(unreachable).toMatchObject({ path: 'config.endpoint', message: expect.stringContaining('could not reach SparkPost') });
  });

  it('reads delivery status from the Events API', async () => {
    const { providerMessageId } = await driver.send(conformanceMessage(11));
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('accepted');
    const later = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    fake.events.get(providerMessageId!)!.push({ type: 'delay', timestamp: later(1) });
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('deferred');
    fake.events.get(providerMessageId!)!.push({ type: 'bounce', timestamp: later(2) }, { type: 'open', timestamp: later(3) });
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('bounced');
    expect(await driver.getDeliveryStatus('1')).toBe('unknown');
  });
});

describe('sparkpost settings', () => {
  it('defaults the region to us', () => {
    expect(sparkpostSettings.config.parse({})).toEqual({ region: 'us' });
    expect(sparkpostSettings.config.parse({ region: 'eu' })).toEqual({ region: 'eu' });
  });

  it('names what is wrong', () => {
    expect(sparkpostSettings.config.safeParse({ region: 'ap' }).error?.issues[0]).toMatchObject({ path: ['region'], message: expect.stringContaining('region "ap" does not exist') });
    expect(sparkpostSettings.config.safeParse({ endpoint: 'http://10.0.0.5' }).error?.issues[0]?.path).toEqual(['endpoint']);
    expect(sparkpostSettings.config.safeParse({ endpoint: 'ftp://x' }).error?.issues[0]?.path).toEqual(['endpoint']);
    expect(sparkpostSettings.config.safeParse({ endpoint: 'not a url' }).error?.issues).toHaveLength(1);
    expect(sparkpostSettings.config.safeParse({ regoin: 'eu' }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(sparkpostSettings.secrets.safeParse({}).error?.issues[0]).toMatchObject({ path: ['apiKey'], message: expect.stringContaining('apiKey is required') });
  });
});

describeDriverConformance({
  name: 'sparkpost',
  async start() {
    const fake = await startFakeSparkpost({ apiKey: API_KEY });
    const config = { region: 'us' as const, endpoint: fake.url };
    const driver = createSparkpostDriver({ config, secrets: { apiKey: API_KEY } });
    return {
      driver,
      accepted: () => fake.accepted(),
      failNext: (failure) => fake.failNext(failure),
      withBadCredentials: () => createSparkpostDriver({ config, secrets: { apiKey: 'refused' } }),
      close: () => fake.close(),
    };
  },
});
