// The Gmail driver against the loopback SMTP sink: logged in with an app password (AUTH
// PLAIN/LOGIN) or with OAuth2 (XOAUTH2, with access tokens from a local stand-in for
// Google's token endpoint), through the conformance suite and Gmail's own replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gmailSettings, type GmailConfig, type GmailSecrets } from '../../shared/drivers/gmail-settings';
import { acceptedFromMime, conformanceMessage, describeDriverConformance, type AcceptedMessage, type DriverUnderTest, type RelayFailure } from '../../test/helpers/driver-conformance';
import { startFakeGoogleOAuth, type FakeGoogleOAuth } from '../../test/helpers/fake-google-oauth';
import { startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink';
import { classifySendError } from '../send-error';
import type { Driver } from './driver';
import { createGmailDriver } from './gmail';

const USER = 'news@shop.example';
const APP_PASSWORD = 'abcd efgh ijkl mnop';
const OAUTH = { clientId: '1234-abc.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret', refreshToken: '1//0refresh-token' };

// Gmail's own answers, as its SMTP servers word them.
const GMAIL_ANSWERS: Record<RelayFailure, { code: number; message: string }> = {
  rate_limited: { code: 450, message: '4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. - gsmtp' },
  unavailable: { code: 451, message: '4.3.0 Mail server temporarily rejected message. - gsmtp' },
  recipient_rejected: { code: 550, message: "5.1.1 The email account that you tried to reach does not exist. - gsmtp" },
};

function gmailConfig(port: number, extra: Partial<GmailConfig> = {}): GmailConfig {
  return gmailSettings.config.parse({ host: '127.0.0.1', port, security: 'none', poolSize: 1, ...extra });
}

async function acceptedBy(sink: SmtpSink): Promise<AcceptedMessage[]> {
  return Promise.all(sink.received.map((received) => acceptedFromMime(received.envelopeTo[0]!, received.raw)));
}

function fixtureOver(sink: SmtpSink, driver: Driver, badDriver: () => Driver, closeAlso: () => Promise<void>): DriverUnderTest {
  const others: Driver[] = [];
  return {
    driver,
    accepted: () => acceptedBy(sink),
    failNext(failure) {
      let used = false;
      sink.rejectRecipient = () => (used ? null : ((used = true), GMAIL_ANSWERS[failure]));
    },
    withBadCredentials() {
      const bad = badDriver();
      others.push(bad);
      return bad;
    },
    async close() {
      await Promise.all([driver, ...others].map((d) => d.close()));
      await sink.close();
      await closeAlso();
    },
  };
}

describeDriverConformance({
  name: 'gmail (app password)',
  async start() {
    const sink = await startSmtpSink({ auth: { user: USER, pass: 'abcdefghijklmnop' } });
    const config = gmailConfig(sink.port);
    const secrets = gmailSettings.secrets.parse({ user: USER, appPassword: APP_PASSWORD });
    const bad = () => createGmailDriver({ config, secrets: { user: USER, appPassword: 'zzzzzzzzzzzzzzzz' } });
    return fixtureOver(sink, createGmailDriver({ config, secrets }), bad, async () => {});
  },
});

describeDriverConformance({
  name: 'gmail (OAuth2)',
  async start() {
    const oauth = await startFakeGoogleOAuth(OAUTH);
    const sink = await startSmtpSink({ xoauth2: { user: USER, acceptsToken: oauth.acceptsToken } });
    const config = gmailConfig(sink.port, { tokenUrl: oauth.tokenUrl });
    const secrets: GmailSecrets = { user: USER, ...OAUTH };
    const bad = () => createGmailDriver({ config, secrets: { ...secrets, refreshToken: '1//0revoked' } });
    return fixtureOver(sink, createGmailDriver({ config, secrets }), bad, () => oauth.close());
  },
});

describe('gmail driver: OAuth2', () => {
  let oauth: FakeGoogleOAuth;
  let sink: SmtpSink;
  let config: GmailConfig;
  let refuseNextToken = false;
  const secrets: GmailSecrets = { user: USER, ...OAUTH };

  beforeAll(async () => {
    oauth = await startFakeGoogleOAuth(OAUTH);
    const acceptsToken = (token: string) => (refuseNextToken ? (refuseNextToken = false) : oauth.acceptsToken(token));
    sink = await startSmtpSink({ xoauth2: { user: USER, acceptsToken } });
    config = gmailConfig(sink.port, { tokenUrl: oauth.tokenUrl });
  });
  afterAll(async () => {
    await sink.close();
    await oauth.close();
  });

  it('trades the refresh token for an access token, and fetches a fresh one when Gmail refuses it', async () => {
    const driver = createGmailDriver({ config, secrets });
    await driver.send(conformanceMessage(31));
    await driver.close();
    expect(oauth.issued).toHaveLength(1);

    // Gmail answers a stale token with a 334 challenge: the driver must renew and log in.
    refuseNextToken = true;
    const again = createGmailDriver({ config, secrets });
    await again.send(conformanceMessage(32));
    await again.close();
    expect(refuseNextToken).toBe(false);
    expect(oauth.issued).toHaveLength(3);
    expect(sink.received.map((m) => m.envelopeTo[0])).toEqual(['zoe31@example.org', 'zoe32@example.org']);
  });

  it('names the refresh token, in Google\'s words, when the token endpoint refuses it', async () => {
    const driver = createGmailDriver({ config, secrets: { ...secrets, refreshToken: '1//0revoked' } });
    const problems = await driver.validateConfig();
    await driver.close();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('secrets.refreshToken');
    expect(problems[0]!.message).toContain('invalid_grant: Token has been expired or revoked.');
  });

  it('halts a send whose OAuth client Google does not know', async () => {
    const driver = createGmailDriver({ config, secrets: { ...secrets, clientSecret: 'wrong' } });
    const failure = await driver.send(conformanceMessage(33)).then(() => null, classifySendError);
    await driver.close();
    expect(failure?.outcome).toBe('halt');
    expect(failure?.message).toContain('invalid_client');
  });
});

describe('gmail driver: Gmail\'s replies', () => {
  let sink: SmtpSink;
  let driver: Driver;

  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: USER, pass: 'abcdefghijklmnop' } });
    driver = createGmailDriver({ config: gmailConfig(sink.port), secrets: { user: USER, appPassword: 'abcdefghijklmnop' } });
  });
  afterAll(async () => {
    await driver.close();
    await sink.close();
  });

  it('takes Google\'s message id from the 250 reply', async () => {
    sink.acceptReply = '2.0.0 OK  1764300000 a640c23a62f3a-b76c1a2e9f1si123456766b.210 - gsmtp';
    const result = await driver.send(conformanceMessage(40));
    sink.acceptReply = null;
    expect(result.providerMessageId).toBe('a640c23a62f3a-b76c1a2e9f1si123456766b.210');
    expect(result.response).toMatch(/^250 2\.0\.0 OK/);
  });

  it('treats the daily sending limit as a rate limit on the server, not a bounce', async () => {
    let used = false;
    sink.rejectRecipient = () => (used ? null : ((used = true), { code: 550, message: '5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp' }));
    const failure = await driver.send(conformanceMessage(41)).then(() => null, classifySendError);
    expect(failure).toMatchObject({ outcome: 'rate_limited', code: 'ERATELIMIT', retryAfterMs: 3_600_000 });
    expect(failure?.message).toContain('Daily user sending limit exceeded');
  });

  it('names the app password when Gmail refuses it, and the host when it cannot be reached', async () => {
    const bad = createGmailDriver({ config: gmailConfig(sink.port), secrets: { user: USER, appPassword: 'zzzzzzzzzzzzzzzz' } });
    const [refused] = await bad.validateConfig();
    await bad.close();
    expect(refused).toMatchObject({ path: 'secrets.appPassword' });
    expect(refused!.message).toContain(USER);

    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.close();
    const away = createGmailDriver({ config: gmailConfig(port), secrets: { user: USER, appPassword: 'abcdefghijklmnop' } });
    const [unreachable] = await away.validateConfig();
    await away.close();
    expect(unreachable).toMatchObject({ path: 'config.host' });
    expect(unreachable!.message).toContain(`127.0.0.1:${port}`);
  });

  it('says Google signs DKIM and the message goes as raw MIME', () => {
    expect(driver.getCapabilities()).toMatchObject({ input: 'raw', signsDkim: true, deliveryStatus: false });
    expect(driver.name).toBe('gmail');
  });
});
