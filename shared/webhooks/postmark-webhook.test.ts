import { describe, expect, it } from 'vitest';
import { MESSAGE_ID_FIELD } from '../drivers/message-marks';
import { describeWithFixtures, readFixture, readFixtureJson } from '../../test/helpers/fixtures';
import { describeWebhookConformance, jsonRequest, testContext } from '../../test/helpers/webhook-conformance';
import { WebhookPayloadError, type WebhookSource } from './relay-webhook';
import type { BasicAuthConfig, BasicAuthSecrets } from './basic-auth';
import { postmarkWebhook } from './postmark-webhook';

type PostmarkSource = WebhookSource<BasicAuthConfig, BasicAuthSecrets>;

const source: PostmarkSource = { id: 7, config: { username: 'postmark-hooks' }, secrets: { password: 'correct-horse-battery-staple' } };
const MESSAGE_ID = '00000000-0000-0000-0000-000000000000';

function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

function withAuth(body: Uint8Array | string, authorization = basic('postmark-hooks', 'correct-horse-battery-staple')) {
  return jsonRequest(body, { authorization });
}

function parseRecord(record: Record<string, unknown>) {
  return postmarkWebhook.parse(jsonRequest(JSON.stringify(record)), source).events;
}

describeWebhookConformance(postmarkWebhook, {
  source,
  bodySigned: false,
  fixtures: [
    {
      file: 'webhooks/postmark-bounce.json',
      expected: [{
        type: 'bounce',
        bounceClass: 'hard',
        key: 'postmark:bounce:42',
        recipient: 'john@example.com',
        providerMessageId: MESSAGE_ID,
        occurredAt: Date.parse('2022-09-02T14:29:19.123Z'),
        diagnostic: 'Test bounce details',
        detail: { bounceType: 'HardBounce', inactive: true },
      }],
    },
    {
      file: 'webhooks/postmark-spamcomplaint.json',
      expected: [{ type: 'complaint', key: 'postmark:complaint:42', recipient: 'john@example.com', occurredAt: Date.parse('2022-09-02T14:29:57.123Z') }],
    },
    {
      file: 'webhooks/postmark-delivery.json',
      expected: [{ type: 'delivered', recipient: 'john@example.com', providerMessageId: MESSAGE_ID, occurredAt: Date.parse('2022-09-02T11:49:27Z'), diagnostic: 'Test delivery webhook details' }],
    },
    {
      file: 'webhooks/postmark-open.json',
      expected: [{ type: 'open', recipient: 'john@example.com', occurredAt: Date.parse('2022-09-02T14:30:47Z'), userAgent: expect.stringContaining('Chrome/35.0.1916.153') }],
    },
    {
      file: 'webhooks/postmark-click.json',
      expected: [{ type: 'click', recipient: 'john@example.com', url: 'https://example.com', occurredAt: Date.parse('2022-09-02T14:31:09Z') }],
    },
    {
      // Suppressed for a hard bounce: the hard bounce it stands for, not an unsubscribe.
      file: 'webhooks/postmark-subscriptionchange.json',
      expected: [{ type: 'bounce', bounceClass: 'hard', recipient: 'john@example.com', occurredAt: Date.parse('2022-09-02T14:32:30Z'), detail: { suppressionReason: 'HardBounce', origin: 'Recipient' } }],
    },
  ],
  signed: [
    {
      name: 'postmark-bounce.json with the basic-auth pair of the webhook URL',
      request: () => withAuth(new Uint8Array(readFixture('webhooks/postmark-bounce.json'))),
    },
  ],
});

describe('postmark webhook authentication', () => {
  const authenticate = (authorization: string, sources: PostmarkSource[] = [source]) => postmarkWebhook.authenticate(withAuth('{}', authorization), sources, testContext());

  it('refuses a wrong password, a wrong user, and both', async () => {
    for (const [user, password] of [['postmark-hooks', 'correct-horse-battery-stapl'], ['postmark-hook', 'correct-horse-battery-staple'], ['x', 'y']] as const) {
      expect(await authenticate(basic(user, password)), `${user}:${password}`).toMatchObject({ ok: false, reason: expect.stringContaining('matches no saved source') });
    }
  });

  it('refuses headers that are not a basic-auth pair, without throwing', async () => {
    for (const header of ['Bearer abc', 'Basic', 'Basic !!!!', `Basic ${btoa('no-colon')}`, `Basic ${btoa('\u00ff')}`, basic('postmark-hooks', 'correct-horse-battery-staple').toLowerCase()]) {
      expect((await authenticate(header)).ok, header).toBe(false);
    }
  });

  it('finds the matching source among several, and takes a password that holds colons', async () => {
    const other: PostmarkSource = { id: 8, config: { username: 'second' }, secrets: { password: 'with:colons:inside-0123' } };
    expect(await authenticate(basic('second', 'with:colons:inside-0123'), [source, other])).toMatchObject({ ok: true, source: { id: 8 } });
  });

  it('refuses a username with a colon and a short password when they are saved', () => {
    expect(postmarkWebhook.settings.config.safeParse({ username: 'a:b' }).error?.issues[0]?.message).toMatch(/must not contain ":"/);
    expect(postmarkWebhook.settings.secrets.safeParse({ password: 'short' }).error?.issues[0]?.message).toMatch(/at least 16/);
    expect(postmarkWebhook.settings.config.parse({ username: ' hooks ' })).toEqual({ username: 'hooks' });
  });
});

describeWithFixtures('postmark webhook records', () => {
  const bounce = () => readFixtureJson<Record<string, unknown>>('webhooks/postmark-bounce.json');

  it("matches our message through the Metadata key the driver sets", () => {
    const [event] = parseRecord({ ...bounce(), Metadata: { [MESSAGE_ID_FIELD]: '77' } });
    expect(event).toMatchObject({ messageId: 77, providerMessageId: MESSAGE_ID });
    for (const value of ['0', '-1', '7x', '99999999999999999']) {
      expect(parseRecord({ ...bounce(), Metadata: { [MESSAGE_ID_FIELD]: value } })[0]?.messageId, value).toBeUndefined();
    }
  });

  it('classifies each bounce Type', () => {
    const cases: [string, Record<string, unknown> | null][] = [
      ['HardBounce', { type: 'bounce', bounceClass: 'hard' }],
      ['BadEmailAddress', { type: 'bounce', bounceClass: 'hard' }],
      ['SoftBounce', { type: 'bounce', bounceClass: 'soft' }],
      ['SpamNotification', { type: 'bounce', bounceClass: 'soft' }],
      ['DMARCPolicy', { type: 'bounce', bounceClass: 'soft' }],
      ['SomethingNew', { type: 'bounce', bounceClass: 'soft' }],
      ['constructor', { type: 'bounce', bounceClass: 'soft' }],
      ['Transient', { type: 'deferred', key: 'postmark:deferred:42' }],
      ['ManuallyDeactivated', { type: 'dropped' }],
      ['SpamComplaint', { type: 'complaint', key: 'postmark:complaint:42' }],
      ['Unsubscribe', { type: 'unsubscribe' }],
      ['AutoResponder', null],
      ['AddressChange', null],
      ['Subscribe', null],
    ];
    for (const [type, expected] of cases) {
      const events = parseRecord({ ...bounce(), Type: type });
      if (expected) expect(events, type).toEqual([expect.objectContaining(expected)]);
      else expect(events, type).toEqual([]);
    }
  });

  it("reads the enhanced status from the remote server's words", () => {
    const [event] = parseRecord({ ...bounce(), Details: "smtp;550 5.1.1 The email account that you tried to reach does not exist." });
    expect(event).toMatchObject({ status: '5.1.1', diagnostic: expect.stringContaining('does not exist') });
  });

  it('turns a suppression into the event it stands for, and ignores a reactivation', () => {
    const change = readFixtureJson<Record<string, unknown>>('webhooks/postmark-subscriptionchange.json');
    expect(parseRecord({ ...change, SuppressionReason: 'ManualSuppression' })).toEqual([expect.objectContaining({ type: 'unsubscribe', recipient: 'john@example.com' })]);
    expect(parseRecord({ ...change, SuppressionReason: 'SpamComplaint' })).toEqual([expect.objectContaining({ type: 'complaint' })]);
    expect(parseRecord({ ...change, SuppressSending: false })).toEqual([]);
  });

  it('answers records it cannot place with no events, and broken ones with a WebhookPayloadError', () => {
    expect(parseRecord({ RecordType: 'Inbound' })).toEqual([]);
    expect(parseRecord({ RecordType: 'toString' })).toEqual([]);
    expect(() => parseRecord({ ...bounce(), BouncedAt: 'yesterday' })).toThrow(/BouncedAt must be an ISO 8601 time/);
    expect(() => parseRecord({ ...bounce(), ID: undefined })).toThrow(WebhookPayloadError);
    expect(() => parseRecord({ Type: 'HardBounce' })).toThrow(/RecordType/);
  });
});
