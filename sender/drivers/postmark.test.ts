// The Postmark driver against a local server that answers like Postmark's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postmarkSettings } from '../../shared/drivers/postmark-settings';
import { conformanceMessage, describeDriverConformance } from '../../test/helpers/driver-conformance';
import { startFakePostmark, type FakePostmark } from '../../test/helpers/fake-postmark';
import { classifySendError } from '../send-error';
import { MESSAGE_ID_FIELD } from '../../shared/drivers/message-marks';
import { createPostmarkDriver } from './postmark';

async function failure(promise: Promise<unknown>) {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!err) throw new Error('the call was expected to fail');
  return classifySendError(err);
}

/** A fetch that answers every request with one Postmark answer. */
function answering(status: number, body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('postmark driver', () => {
  let fake: FakePostmark;
  beforeAll(async () => {
    fake = await startFakePostmark();
  });
  afterAll(() => fake.close());
  const driverFor = (config: Record<string, unknown> = {}, serverToken = fake.serverToken) =>
    createPostmarkDriver({ config: postmarkSettings.config.parse({ endpoint: fake.url, ...config }), secrets: { serverToken } });

  it('posts the /email body Postmark documents, on the broadcast stream, tracking off, and returns its MessageID', async () => {
    const message = conformanceMessage(41, { from: '"Shöp \\"News\\", Paris" <news@shop.example>' });
    const result = await driverFor().send(message);
    const sent = fake.accepted.at(-1)!;
    expect(result.providerMessageId).toBe(sent.messageId);
    expect(sent.requestHeaders['x-postmark-server-token']).toBe(fake.serverToken);
    expect(sent.requestHeaders['content-type']).toBe('application/json');
    expect(sent.requestHeaders.accept).toBe('application/json');
    expect(sent.body).toEqual({
      From: '"Shöp \\"News\\", Paris" <news@shop.example>',
      To: '"Zoë Martin" <zoe41@example.org>',
      Subject: message.subject,
      TextBody: message.text,
      HtmlBody: message.html,
      Headers: [
        { Name: 'List-Unsubscribe', Value: message.headers['List-Unsubscribe'] },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
        { Name: 'Message-ID', Value: message.messageIdHeader },
      ],
      TrackOpens: false,
      TrackLinks: 'None',
      Metadata: { [MESSAGE_ID_FIELD]: '41' },
      MessageStream: 'broadcast',
    });
    expect(sent.from).toBe('news@shop.example');
  });

  it('sends on the configured stream and leaves HtmlBody out of a text-only message', async () => {
    fake.streams['spring-news'] = 'Broadcasts';
    await driverFor({ messageStream: 'spring-news' }).send(conformanceMessage(42, { html: null, to: 'bare@example.org' }));
    const sent = fake.accepted.at(-1)!.body;
    expect(sent.MessageStream).toBe('spring-news');
    expect(sent.To).toBe('bare@example.org');
    expect(sent).not.toHaveProperty('HtmlBody');
  });

  it('maps Postmark\'s ErrorCodes: 10 halts, 406 and 300 are permanent, 429 slows down, 100 retries', async () => {
    expect(await failure(driverFor({}, 'wrong-token').send(conformanceMessage(43)))).toMatchObject({ outcome: 'halt', code: 'EAUTH' });

    fake.failNext('recipient_rejected');
    const inactive = await failure(driverFor().send(conformanceMessage(44)));
    expect(inactive).toMatchObject({ outcome: 'permanent', code: 'EENVELOPE' });
    expect(inactive.message).toMatch(/^Postmark refused the message \(422, ErrorCode 406\): You tried to send to recipient\(s\) that have been marked as inactive/);

    fake.failNext('rate_limited');
    expect(await failure(driverFor().send(conformanceMessage(45)))).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 3000 });

    fake.failNext('unavailable');
    expect(await failure(driverFor().send(conformanceMessage(46)))).toMatchObject({ outcome: 'retry' });

    const invalid = createPostmarkDriver({ config: postmarkSettings.config.parse({}), secrets: { serverToken: 't' } }, { fetch: answering(422, { ErrorCode: 300, Message: "Invalid 'To' address: 'x'." }) });
    expect(await failure(invalid.send(conformanceMessage(47)))).toMatchObject({ outcome: 'permanent', code: 'EMESSAGE', message: expect.stringContaining("Invalid 'To' address") });
  });

  it('halts when no message can pass: an unconfirmed sender signature, an account that may not send', async () => {
    for (const code of [400, 401, 405, 412, 413]) {
      const driver = createPostmarkDriver({ config: postmarkSettings.config.parse({}), secrets: { serverToken: 't' } }, { fetch: answering(422, { ErrorCode: code, Message: 'refused' }) });
      expect(await failure(driver.send(conformanceMessage(48)))).toMatchObject({ outcome: 'halt', code: 'ECONFIG' });
    }
  });

  it('treats a 200 whose ErrorCode is not 0 as a refusal', async () => {
    const driver = createPostmarkDriver({ config: postmarkSettings.config.parse({}), secrets: { serverToken: 't' } }, { fetch: answering(200, { ErrorCode: 406, Message: 'inactive' }) });
    expect(await failure(driver.send(conformanceMessage(49)))).toMatchObject({ outcome: 'permanent', code: 'EENVELOPE' });
  });

  it('counts an unreachable host as retryable', async () => {
    const driver = createPostmarkDriver({ config: postmarkSettings.config.parse({ endpoint: 'http://127.0.0.1:9' }), secrets: { serverToken: 't' } });
    expect(await failure(driver.send(conformanceMessage(50)))).toMatchObject({ outcome: 'retry', code: 'ECONNECTION' });
  });

  it('validates the token with GET /server and the stream: it must exist and be a Broadcasts stream', async () => {
    expect(await driverFor().validateConfig()).toEqual([]);
    expect(await driverFor({}, 'wrong-token').validateConfig()).toEqual([
      { path: 'secrets.serverToken', message: expect.stringMatching(/^the server token was refused by Postmark \(401\): Request does not contain a valid Server token/) },
    ]);
    expect(await driverFor({ messageStream: 'outbound' }).validateConfig()).toEqual([
      { path: 'config.messageStream', message: 'message stream "outbound" is a Transactional stream; Postmark requires marketing mail to go through a Broadcasts stream' },
    ]);
    expect(await driverFor({ messageStream: 'nope' }).validateConfig()).toEqual([
      { path: 'config.messageStream', message: expect.stringMatching(/^message stream "nope" does not exist on Postmark server "Edgepost test server"/) },
    ]);
  });

  it('reads a message\'s fate from its details: delivered, bounced, deferred, accepted, unknown', async () => {
    const driver = driverFor();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await driver.send(conformanceMessage(60 + i))).providerMessageId!);
    fake.events[ids[0]!] = ['Delivered', 'Opened'];
    fake.events[ids[1]!] = ['Transient', 'Bounced'];
    fake.events[ids[2]!] = ['Transient'];
    expect(await Promise.all(ids.map((id) => driver.getDeliveryStatus(id)))).toEqual(['delivered', 'bounced', 'deferred', 'accepted']);
    expect(await driver.getDeliveryStatus('00000000-0000-0000-0000-000000000000')).toBe('unknown');
  });
});

describe('postmark settings', () => {
  it('defaults the stream to broadcast and refuses a malformed one', () => {
    expect(postmarkSettings.config.parse({})).toEqual({ messageStream: 'broadcast' });
    expect(postmarkSettings.config.safeParse({ messageStream: 'two words' }).error?.issues[0]?.path).toEqual(['messageStream']);
    expect(postmarkSettings.config.safeParse({ endpoint: 'http://api.example.com' }).error?.issues[0]?.path).toEqual(['endpoint']);
  });

  it('requires a serverToken', () => {
    expect(postmarkSettings.secrets.safeParse({}).error?.issues[0]).toMatchObject({ path: ['serverToken'], message: expect.stringContaining('serverToken is required') });
  });
});

describeDriverConformance({
  name: 'postmark',
  async start() {
    const fake = await startFakePostmark();
    const config = postmarkSettings.config.parse({ endpoint: fake.url });
    const driver = createPostmarkDriver({ config, secrets: { serverToken: fake.serverToken } });
    return {
      driver,
      accepted: async () => fake.accepted,
      failNext: (failure) => fake.failNext(failure),
      withBadCredentials: () => createPostmarkDriver({ config, secrets: { serverToken: 'refused' } }),
      close: () => fake.close(),
    };
  },
});
