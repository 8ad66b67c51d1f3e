// The SendGrid driver against a local server that answers like SendGrid's v3 API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendgridSettings } from '../../shared/drivers/sendgrid-settings';
import { conformanceMessage, describeDriverConformance } from '../../test/helpers/driver-conformance';
import { startFakeSendgrid, type FakeSendgrid } from '../../test/helpers/fake-sendgrid';
import { classifySendError } from '../send-error';
import { MESSAGE_ID_FIELD } from '../../shared/drivers/message-marks';
import { createSendgridDriver } from './sendgrid';

async function failure(promise: Promise<unknown>) {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!err) throw new Error('the call was expected to fail');
  return { err: err as Error, classified: classifySendError(err) };
}

describe('sendgrid driver', () => {
  let fake: FakeSendgrid;
  beforeAll(async () => {
    fake = await startFakeSendgrid();
  });
  afterAll(() => fake.close());
  const driverFor = (apiKey = fake.apiKey) => createSendgridDriver({ config: { region: 'global', endpoint: fake.url }, secrets: { apiKey } });

  it('posts the v3 Mail Send body SendGrid documents, with the Bearer key, and returns the X-Message-Id', async () => {
    const message = conformanceMessage(41);
    const result = await driverFor().send(message);
    const sent = fake.accepted.at(-1)!;
    expect(result.providerMessageId).toBe(sent.xMessageId);
    expect(result.response).toContain(sent.xMessageId);
    expect(sent.requestHeaders.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(sent.requestHeaders['content-type']).toBe('application/json');
    expect(sent.body).toEqual({
      personalizations: [{ to: [{ email: 'zoe41@example.org', name: 'Zoë Martin' }] }],
      from: { email: 'news@shop.example', name: 'Shöp News' },
      subject: message.subject,
      content: [
        { type: 'text/plain', value: message.text },
        { type: 'text/html', value: message.html },
      ],
      headers: { ...message.headers, 'Message-ID': message.messageIdHeader },
      custom_args: { [MESSAGE_ID_FIELD]: '41' },
      tracking_settings: {
        click_tracking: { enable: false, enable_text: false },
        open_tracking: { enable: false },
        subscription_tracking: { enable: false },
        ganalytics: { enable: false },
      },
    });
  });

  it('leaves the name out of a bare address and the html part out of a text-only message', async () => {
    await driverFor().send(conformanceMessage(42, { to: 'bare@example.org', html: null }));
    const sent = fake.accepted.at(-1)!.body;
    expect(sent.personalizations).toEqual([{ to: [{ email: 'bare@example.org' }] }]);
    expect(sent.content).toEqual([{ type: 'text/plain', value: conformanceMessage(42).text }]);
  });

  it('refuses a message whose headers would inject a line before it reaches SendGrid', async () => {
    const bad = conformanceMessage(43, { subject: 'Hi\r\nBcc: x@example.org' });
    const { classified } = await failure(driverFor().send(bad));
    expect(classified.outcome).toBe('permanent');
  });

  it('carries SendGrid\'s rate-limit reset into retryAfterMs', async () => {
    fake.failNext('rate_limited');
    const { err, classified } = await failure(driverFor().send(conformanceMessage(44)));
    expect(classified.outcome).toBe('rate_limited');
    expect(classified.retryAfterMs).toBeGreaterThan(0);
    expect(classified.retryAfterMs).toBeLessThanOrEqual(3000);
    expect(err.message).toContain('too many requests');
  });

  it('quotes SendGrid\'s own words and field for a refused recipient', async () => {
    fake.failNext('recipient_rejected');
    const { classified } = await failure(driverFor().send(conformanceMessage(45)));
    expect(classified).toMatchObject({ outcome: 'permanent', code: 'EMESSAGE' });
    expect(classified.message).toBe('SendGrid refused the message (400): personalizations.0.to.0.email: Does not contain a valid address.');
  });

  it('validates: refused key at secrets.apiKey, a key without mail.send, an unreachable endpoint', async () => {
    const refused = await driverFor('SG.wrong').validateConfig();
    expect(refused).toEqual([{ path: 'secrets.apiKey', message: expect.stringMatching(/^the API key was refused by SendGrid \(401\): The provided authorization grant is invalid/) }]);

    fake.scopes = ['user.profile.read'];
    try {
      expect(await driverFor().validateConfig()).toEqual([{ path: 'secrets.apiKey', message: expect.stringContaining('lacks the mail.send scope') }]);
      expect((await failure(driverFor().send(conformanceMessage(46)))).classified.outcome).toBe('halt');
    } finally {
      fake.scopes = ['mail.send'];
    }
    expect(await driverFor().validateConfig()).toEqual([]);

    const closed = createSendgridDriver({ config: { region: 'global', endpoint: 'http://127.0.0.1:9' }, secrets: { apiKey: 'SG.x' } });
    expect(await closed.validateConfig()).toEqual([{ path: 'config.endpoint', message: expect.stringContaining('could not reach SendGrid at http://127.0.0.1:9') }]);
  });

  it('counts an unreachable host as retryable, not as a bad message', async () => {
    const closed = createSendgridDriver({ config: { region: 'global', endpoint: 'http://127.0.0.1:9' }, secrets: { apiKey: 'SG.x' } });
    const { classified } = await failure(closed.send(conformanceMessage(47)));
    expect(classified).toMatchObject({ outcome: 'retry', code: 'ECONNECTION' });
  });

  it('gives up on a request after its timeout and retries it later', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const driver = createSendgridDriver({ config: { region: 'global', endpoint: url }, secrets: { apiKey: 'SG.x' } }, { timeoutMs: 150 });
      const { classified } = await failure(driver.send(conformanceMessage(48)));
      expect(classified).toMatchObject({ outcome: 'retry', code: 'ETIMEDOUT' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('sends to the region\'s host: api.sendgrid.com, or api.eu.sendgrid.com for EU regional subusers', async () => {
    const urls: string[] = [];
    const recording: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(null, { status: 202, headers: { 'X-Message-Id': 'abc' } });
    };
    await createSendgridDriver({ config: sendgridSettings.config.parse({}), secrets: { apiKey: 'SG.x' } }, { fetch: recording }).send(conformanceMessage(49));
    await createSendgridDriver({ config: sendgridSettings.config.parse({ region: 'eu' }), secrets: { apiKey: 'SG.x' } }, { fetch: recording }).send(conformanceMessage(49));
    expect(urls).toEqual(['https://api.sendgrid.com/v3/mail/send', 'https://api.eu.sendgrid.com/v3/mail/send']);
  });
});

describe('sendgrid settings', () => {
  it('defaults the region to global and names a region that does not exist', () => {
    expect(sendgridSettings.config.parse({})).toEqual({ region: 'global' });
    const result = sendgridSettings.config.safeParse({ region: 'us-east-1' });
    expect(result.error?.issues[0]).toMatchObject({ path: ['region'], message: 'region "us-east-1" does not exist; use global or eu (EU regional subusers)' });
  });

  it('takes an https endpoint, or http on loopback only', () => {
    expect(sendgridSettings.config.safeParse({ endpoint: 'https://proxy.example.com/sendgrid' }).success).toBe(true);
    expect(sendgridSettings.config.safeParse({ endpoint: 'http://localhost:8080' }).success).toBe(true);
    expect(sendgridSettings.config.safeParse({ endpoint: 'http://proxy.example.com' }).error?.issues[0]?.message).toBe('endpoint must use https (http only for 127.0.0.1 or localhost)');
    expect(sendgridSettings.config.safeParse({ endpoint: 'not a url' }).error?.issues[0]?.path).toEqual(['endpoint']);
  });

  it('requires an apiKey', () => {
    expect(sendgridSettings.secrets.safeParse({}).error?.issues[0]).toMatchObject({ path: ['apiKey'], message: expect.stringContaining('apiKey is required') });
    expect(sendgridSettings.secrets.safeParse({ apiKey: '  ' }).error?.issues[0]?.message).toBe('apiKey must not be empty');
  });
});

describeDriverConformance({
  name: 'sendgrid',
  async start() {
    const fake = await startFakeSendgrid();
    const config = { region: 'global' as const, endpoint: fake.url };
    const driver = createSendgridDriver({ config, secrets: { apiKey: fake.apiKey } });
    return {
      driver,
      accepted: async () => fake.accepted,
      failNext: (failure) => fake.failNext(failure),
      withBadCredentials: () => createSendgridDriver({ config, secrets: { apiKey: 'SG.refused' } }),
      close: () => fake.close(),
    };
  },
});
