// The SES driver against a local SES API v2 that verifies SigV4 with its own code.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesSettings } from '../../shared/drivers/ses-settings';
import { conformanceMessage, describeDriverConformance } from '../../test/helpers/driver-conformance';
import { AwsClient } from 'aws4fetch';
import { startFakeSes, verifySignature, type FakeSes } from '../../test/helpers/fake-ses';
import { classifySendError } from '../send-error';
import type { Driver } from './driver';
import { createSesDriver } from './ses';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

async function failureOf(promise: Promise<unknown>) {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!err) throw new Error('the send was expected to fail');
  return { err: err as Error, classified: classifySendError(err) };
}

describe('ses driver', () => {
  let ses: FakeSes;
  let driver: Driver;
  const opened: Driver[] = [];
  const make = (config: Record<string, unknown> = {}, secrets: Record<string, unknown> = {}) => {
    const d = createSesDriver({
      config: sesSettings.config.parse({ region: 'eu-west-1', endpoint: ses.endpoint, ...config }),
      secrets: sesSettings.secrets.parse({ ...credentials, ...secrets }),
    });
    opened.push(d);
    return d;
  };

  beforeAll(async () => {
    ses = await startFakeSes(credentials, 'eu-west-1');
    ses.configurationSets.add('edgepost-events');
    driver = make({ configurationSetName: 'edgepost-events' });
  });
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await ses.close();
  });

  it('sends SendEmail with our MIME as Content.Raw, the configuration set and our message id as a tag', async () => {
    const result = await driver.send(conformanceMessage(77));
    expect(result.providerMessageId).toMatch(/^0100018c-/);
    const { body, raw, headers } = ses.received.at(-1)!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request/);
    expect(body.ConfigurationSetName).toBe('edgepost-events');
    expect(body.Destination).toEqual({ ToAddresses: ['zoe77@example.org'] });
    expect(body.EmailTags).toEqual([{ Name: 'edgepost_message', Value: '77' }]);
    expect(Object.keys(body.Content)).toEqual(['Raw']);
    const mail = await simpleParser(raw);
    expect(mail.headers.get('x-edgepost-message')).toBe('77');
    expect(mail.messageId).toBe('<77.7.k1@shop.example>');
  });

  it('leaves the configuration set out when none is set, and says it then tracks nothing', async () => {
    const plain = make();
    await plain.send(conformanceMessage(78));
    expect(ses.received.at(-1)!.body).not.toHaveProperty('ConfigurationSetName');
    expect(plain.getCapabilities()).toMatchObject({ input: 'raw', tracksDelivery: false, signsDkim: true, deliveryStatus: false });
    expect(driver.getCapabilities().tracksDelivery).toBe(true);
    expect(await plain.getDeliveryStatus('x')).toBeNull();
  });

  it('signs with a session token when one is given, and the fake refuses a missing one', async () => {
    const temporary = { ...credentials, accessKeyId: 'ASIAIOSFODNN7EXAMPLE', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    const sts = await startFakeSes(temporary, 'eu-west-1');
    try {
      const withToken = createSesDriver({ config: { region: 'eu-west-1', endpoint: sts.endpoint }, secrets: temporary });
      await withToken.send(conformanceMessage(79));
      expect(sts.received.at(-1)!.headers['x-amz-security-token']).toBe(temporary.sessionToken);
      const without = createSesDriver({ config: { region: 'eu-west-1', endpoint: sts.endpoint }, secrets: { ...temporary, sessionToken: undefined } });
      expect((await failureOf(without.send(conformanceMessage(80)))).classified.outcome).toBe('halt');
    } finally {
      await sts.close();
    }
  });

  it('is refused by the independent verifier when the secret or the region is wrong', async () => {
    const wrongSecret = await failureOf(make({}, { secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}X` }).send(conformanceMessage(81)));
    expect(wrongSecret.err.message).toMatch(/^SES 403 SignatureDoesNotMatch: The request signature we calculated does not match/);
    expect(wrongSecret.classified).toMatchObject({ outcome: 'halt', code: 'EAUTH' });
    expect(ses.refused.at(-1)).toBe('SignatureDoesNotMatch');
    // Signed for us-east-1 but sent to the eu-west-1 endpoint: the scope does not match.
    await failureOf(make({ region: 'us-east-1' }).send(conformanceMessage(82)));
    expect(ses.refused.at(-1)).toBe('SignatureDoesNotMatch');
  });

  it('passes on SES words for throttling (429) and a rejected message', async () => {
    ses.failNext('rate_limited');
    const throttled = await failureOf(driver.send(conformanceMessage(83)));
    expect(throttled.err.message).toBe('SES 429 TooManyRequestsException: Maximum sending rate exceeded.');
    expect(throttled.classified.outcome).toBe('rate_limited');
    ses.failNext('recipient_rejected');
    const rejected = await failureOf(driver.send(conformanceMessage(84)));
    expect(rejected.err.message).toMatch(/^SES 400 MessageRejected: Email address is not verified/);
    expect(rejected.classified).toMatchObject({ outcome: 'permanent', code: 'EMESSAGE' });
  });

  it('halts the campaign when the configuration set is gone, rather than failing each message', async () => {
    const gone = await failureOf(make({ configurationSetName: 'deleted-set' }).send(conformanceMessage(85)));
    expect(gone.classified).toMatchObject({ outcome: 'halt', code: 'ECONFIG' });
  });

  it('counts an unreachable endpoint and a timeout as retryable', async () => {
    const closed = createSesDriver({ config: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' }, secrets: credentials });
    expect((await failureOf(closed.send(conformanceMessage(86)))).classified).toMatchObject({ outcome: 'retry', code: 'ECONNECTION' });
    // A server that takes the request and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const slow = createSesDriver({ config: { region: 'eu-west-1', endpoint }, secrets: credentials }, { timeoutMs: 100 });
      expect((await failureOf(slow.send(conformanceMessage(87)))).classified).toMatchObject({ outcome: 'retry', code: 'ETIMEDOUT' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('validateConfig reads the account and names the setting at fault', async () => {
    expect(await driver.validateConfig()).toEqual([]);
    expect(await make({}, { secretAccessKey: 'x'.repeat(40) }).validateConfig()).toEqual([
      expect.objectContaining({ path: 'secrets.secretAccessKey', message: expect.stringContaining('SignatureDoesNotMatch') }),
    ]);
    expect(await make({}, { accessKeyId: 'AKIAUNKNOWNKEY000000' }).validateConfig()).toEqual([
      expect.objectContaining({ path: 'secrets.accessKeyId', message: expect.stringContaining('AWS does not know it') }),
    ]);
    expect(await make({ configurationSetName: 'no-such-set' }).validateConfig()).toEqual([
      { path: 'config.configurationSetName', message: 'configuration set "no-such-set" does not exist in eu-west-1' },
    ]);
  });
});

describe('the fake SES signature check', () => {
  it("agrees with AWS's published SigV4 test vector (get-vanilla), so it does not merely agree with aws4fetch", () => {
    const request = {
      method: 'GET',
      url: '/',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
    };
    const known = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const at = Date.UTC(2015, 7, 30, 12, 36);
    expect(verifySignature(request, Buffer.alloc(0), 'us-east-1', known, 'service', at)).toEqual({ ok: true });
    expect(verifySignature({ ...request, url: '/?a=b' }, Buffer.alloc(0), 'us-east-1', known, 'service', at)).toMatchObject({ ok: false, type: 'SignatureDoesNotMatch' });
  });

  it('refuses a correctly signed request whose body was changed afterwards', async () => {
    const ses = await startFakeSes(credentials, 'us-east-1');
    try {
      const signer = new AwsClient({ ...credentials, service: 'ses', region: 'us-east-1' });
      const signed = await signer.sign(`${ses.endpoint}/v2/email/outbound-emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Content":{"Raw":{"Data":"QQ=="}}}' });
      const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: '{"Content":{"Raw":{"Data":"Qg=="}}}' });
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toMatch(/^SignatureDoesNotMatch:/);
      expect(await response.json()).toEqual({ message: expect.stringMatching(/^The request signature we calculated does not match/) });
    } finally {
      await ses.close();
    }
  });
});

describe('ses settings', () => {
  it('refuses a region SES does not have, naming it', () => {
    const result = sesSettings.config.safeParse({ region: 'eu-west-9' });
    expect(result.error?.issues[0]).toMatchObject({ path: ['region'], message: expect.stringMatching(/^region eu-west-9 does not exist/) });
    expect(sesSettings.config.parse({ region: 'ap-southeast-2' }).region).toBe('ap-southeast-2');
  });

  it('refuses malformed keys, a bad configuration set name, and plain http beyond this machine', () => {
    const secrets = sesSettings.secrets.safeParse({ accessKeyId: 'akia lower', secretAccessKey: 'short' });
    expect(secrets.error?.issues.map((i) => i.path[0])).toEqual(['accessKeyId', 'secretAccessKey']);
    expect(sesSettings.config.safeParse({ region: 'us-east-1', configurationSetName: 'has space' }).success).toBe(false);
    expect(sesSettings.config.safeParse({ region: 'us-east-1', endpoint: 'http://ses.example.com' }).error?.issues[0]?.message).toMatch(/https/);
    expect(sesSettings.config.safeParse({ region: 'us-east-1', extra: 1 }).success).toBe(false);
  });
});

describeDriverConformance({
  name: 'ses',
  async start() {
    const ses = await startFakeSes(credentials, 'us-west-2');
    ses.configurationSets.add('events');
    const config = { region: 'us-west-2' as const, endpoint: ses.endpoint, configurationSetName: 'events' };
    const driver = createSesDriver({ config, secrets: credentials });
    return {
      driver,
      accepted: () => ses.accepted(),
      failNext: (failure) => ses.failNext(failure),
      withBadCredentials: () => createSesDriver({ config, secrets: { ...credentials, secretAccessKey: 'not-the-secret-access-key-at-all' } }),
      close: () => ses.close(),
    };
  },
});
