// The Elastic Email driver against a local API v4 that checks the key, the body and the fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elasticEmailSettings } from '../../shared/drivers/elasticemail-settings';
import { conformanceMessage, describeDriverConformance } from '../../test/helpers/driver-conformance';
import { startFakeElasticEmail, type FakeElasticEmail } from '../../test/helpers/fake-elasticemail';
import { classifySendError } from '../send-error';
import type { Driver } from './driver';
import { createElasticEmailDriver } from './elasticemail';

const apiKey = 'F8724D4BD49390C30FB67D152F93AD0849E102AFBE8D45BB1AAEDD7FE3DE664B3476250796EFE857B682100BBB931580';

async function failureOf(promise: Promise<unknown>) {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!err) throw new Error('the call was expected to fail');
  return { err: err as Error, classified: classifySendError(err) };
}

describe('elasticemail driver', () => {
  let ee: FakeElasticEmail;
  let driver: Driver;

  beforeAll(async () => {
    ee = await startFakeElasticEmail(apiKey);
    driver = createElasticEmailDriver({ config: elasticEmailSettings.config.parse({ endpoint: ee.endpoint, channelName: 'spring-sale' }), secrets: { apiKey } });
  });
  afterAll(() => ee.close());

  it('posts the documented transactional request: key header, fields, our headers, postback, no tracking of its own', async () => {
    const result = await driver.send(conformanceMessage(55));
    const { body, headers, transactionId, messageId } = ee.received.at(-1)!;
    expect(headers['x-elasticemail-apikey']).toBe(apiKey);
    expect(headers['content-type']).toBe('application/json');
    expect(body.Recipients).toEqual({ To: [conformanceMessage(55).to] });
    expect(body.Recipients.To[0]).toContain('<zoe55@example.org>');
    expect(body.Content.From).toBe(conformanceMessage(55).from);
    expect(body.Content.Body.map((p: { ContentType: string; Charset: string }) => [p.ContentType, p.Charset])).toEqual([['HTML', 'utf-8'], ['PlainText', 'utf-8']]);
    expect(body.Content.Headers).toMatchObject({ 'Message-ID': '<55.7.k1@shop.example>', 'X-Edgepost-Message': '55', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(body.Content.Postback).toBe('55');
    expect(body.Options).toEqual({ TrackOpens: false, TrackClicks: false, ChannelName: 'spring-sale' });
    expect(result.providerMessageId).toBe(transactionId);
    expect(result.response).toContain(messageId);
  });

  it('reads the delivery status of a transaction', async () => {
    const { providerMessageId } = await driver.send(conformanceMessage(56));
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('delivered');
    ee.statuses.set(providerMessageId!, { FailedCount: 1, DeliveredCount: 0 });
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('bounced');
    ee.statuses.set(providerMessageId!, { DeliveredCount: 0, SentCount: 0, PendingCount: 1 });
    expect(await driver.getDeliveryStatus(providerMessageId!)).toBe('accepted');
    expect(await driver.getDeliveryStatus('no-such-transaction')).toBe('unknown');
    expect(driver.getCapabilities()).toMatchObject({ input: 'structured', deliveryStatus: true, tracksDelivery: true });
  });

  it('keeps the relay words and its Retry-After', async () => {
    ee.failNext('rate_limited');
    const throttled = await failureOf(driver.send(conformanceMessage(57)));
    expect(throttled.err.message).toMatch(/^Elastic Email 429: Too many requests, please slow down/);
    expect(throttled.classified).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 7000 });
    ee.failNext('recipient_rejected');
    expect((await failureOf(driver.send(conformanceMessage(58)))).err.message).toMatch(/suppression list/);
  });

  it('validateConfig reads statistics with the key and says when the key is refused', async () => {
    expect(await driver.validateConfig()).toEqual([]);
    expect(ee.requests.at(-1)).toMatch(/^GET \/v4\/statistics\?from=\d{4}-\d{2}-\d{2}T\d{2}%3A\d{2}%3A\d{2}$/);
    const bad = createElasticEmailDriver({ config: { endpoint: ee.endpoint }, secrets: { apiKey: 'WRONG' } });
    expect(await bad.validateConfig()).toEqual([{ path: 'secrets.apiKey', message: expect.stringMatching(/^the API key was refused by Elastic Email \(401\)/) }]);
    const away = createElasticEmailDriver({ config: { endpoint: 'http://127.0.0.1:9/v4' }, secrets: { apiKey } });
    expect(await away.validateConfig()).toEqual([{ path: 'config.endpoint', message: expect.stringMatching(/^could not reach Elastic Email/) }]);
    expect((await failureOf(away.send(conformanceMessage(59)))).classified.outcome).toBe('retry');
  });

  it('settings refuse an empty key, unknown settings and plain http beyond this machine', () => {
    expect(elasticEmailSettings.secrets.safeParse({ apiKey: ' ' }).error?.issues[0]?.path).toEqual(['apiKey']);
    expect(elasticEmailSettings.secrets.safeParse({}).error?.issues[0]?.message).toMatch(/apiKey is required/);
    expect(elasticEmailSettings.config.safeParse({ region: 'eu' }).error?.issues[0]?.message).toMatch(/unrecognized|region/i);
    expect(elasticEmailSettings.config.safeParse({ endpoint: 'http://api.elasticemail.com/v4' }).error?.issues[0]?.message).toMatch(/https/);
  });
});

describeDriverConformance({
  name: 'elasticemail',
  async start() {
    const ee = await startFakeElasticEmail(apiKey);
    const config = { endpoint: ee.endpoint };
    return {
      driver: createElasticEmailDriver({ config, secrets: { apiKey } }),
      accepted: async () => ee.accepted(),
      failNext: (failure) => ee.failNext(failure),
      withBadCredentials: () => createElasticEmailDriver({ config, secrets: { apiKey: 'REVOKED-KEY' } }),
      close: () => ee.close(),
    };
  },
});
