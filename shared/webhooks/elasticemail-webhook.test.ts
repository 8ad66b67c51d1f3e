// The Elastic Email module. Elastic Email publishes no sample notifications, so requests are
// built from what it documents: the fields of
// https://help.elasticemail.com/en/articles/4804685-notification-settings (GET, query
// string) with the values of Mautic's test of the same notifications,
// https://github.com/mautic/mautic/blob/59b12036ef94c1bcfd29b3bd5524637fb4db5d24/app/bundles/EmailBundle/Tests/Transport/ElasticemailTransportTest.php
// (transaction, date format), and the bounce categories of
// https://help.elasticemail.com/en/articles/2300650-what-are-the-bounce-error-categories-and-filters
import { describe, expect, it } from 'vitest';
import { describeWebhookConformance, testContext } from '../../test/helpers/webhook-conformance';
import { WebhookPayloadError, type WebhookRequest, type WebhookSource } from './relay-webhook';
import { elasticEmailWebhook } from './elasticemail-webhook';

const TOKEN = '3f7a9c1e5b2d4f608a1c3e5f7b9d2a4c';
type ElasticSource = WebhookSource<Record<string, never>, { token: string }>;
const source: ElasticSource = { id: 3, config: {}, secrets: { token: TOKEN } };

/** Mautic's example notification (transaction, addresses, date form), with the fields Elastic Email documents since. */
const documented = {
  transaction: '486de632-e3b1-40fd-ba29-807b8b13aa22',
  messageid: 'OTq8vUqSZV3jE4j6nXPkjA2',
  to: 'test@test.com',
  from: 'news@shop.example.com',
  date: '12/22/2017 9:03:39 PM',
  subject: 'test',
  channel: 'testchannel',
  account: 'account@test.com',
  postback: '55',
};

/** A notification as Elastic Email calls it: GET, everything in the query, the marketer's token first. */
function notification(fields: Record<string, string>, token = TOKEN): WebhookRequest {
  const query = new URLSearchParams({ token, ...fields }).toString();
  return { method: 'GET', url: `https://edge.test/hooks/elasticemail?${query}`, headers: new Headers(), body: new Uint8Array(0) };
}

const parse = (fields: Record<string, string>) => elasticEmailWebhook.parse(notification({ ...documented, ...fields }), source).events;

describeWebhookConformance(elasticEmailWebhook, {
  source,
  // Elastic Email has no published payload files to read in place; the documented requests are below.
  fixtures: [],
  signed: [
    { name: 'an Error (NoMailbox) notification', request: () => notification({ ...documented, status: 'Error', category: 'NoMailbox' }) },
    { name: 'a Clicked notification', request: () => notification({ ...documented, status: 'Clicked', target: 'https://shop.example.com/sale' }) },
  ],
  bodySigned: false,
  // The "body" of a notification is its query string. POST, so that an empty one is an error:
  // a GET without fields is Elastic Email checking the URL (tested below).
  toRequest: (body) => ({ method: 'POST', url: `https://edge.test/hooks/elasticemail?token=${TOKEN}&${new TextDecoder().decode(body)}`, headers: new Headers(), body: new Uint8Array(0) }),
});

describe('elasticemail webhook', () => {
  it('reads each documented status as its delivery event, matched by our postback and the transaction', () => {
    const common = { recipient: 'test@test.com', messageId: 55, providerMessageId: documented.transaction, occurredAt: Date.UTC(2017, 11, 22, 21, 3, 39) };
    expect(parse({ status: 'Sent' })).toEqual([expect.objectContaining({ ...common, type: 'delivered', key: `elasticemail:delivered:${documented.messageid}:test@test.com` })]);
    expect(parse({ status: 'Opened' })).toEqual([expect.objectContaining({ ...common, type: 'open', key: `elasticemail:open:${documented.messageid}:test@test.com:${documented.date}` })]);
    expect(parse({ status: 'Clicked', target: 'https://shop.example.com/sale' })).toEqual([expect.objectContaining({ ...common, type: 'click', url: 'https://shop.example.com/sale' })]);
    expect(parse({ status: 'Unsubscribed' })).toEqual([expect.objectContaining({ ...common, type: 'unsubscribe' })]);
    expect(parse({ status: 'AbuseReport' })).toEqual([expect.objectContaining({ ...common, type: 'complaint' })]);
    expect(parse({ status: 'Error', category: 'NoMailbox' })).toEqual([expect.objectContaining({ ...common, type: 'bounce', bounceClass: 'hard', diagnostic: 'NoMailbox', detail: { category: 'NoMailbox' } })]);
  });

  it('sorts bounce categories: a missing address is hard, a blocked or cancelled send is dropped, the rest is soft', () => {
    const verdicts = Object.fromEntries(
      ['NoMailbox', 'DNSProblem', 'AccountProblem', 'Spam', 'BlackListed', 'GreyListed', 'Throttled', 'Timeout', 'ConnectionProblem', 'SPFProblem', 'WhitelistingProblem', 'CodeError', 'ConnectionTerminated', 'ContentFilter', 'Unknown', 'SomethingNew', 'Ignore', 'NotDelivered', 'NotDeliveredCancelled', 'ManualCancel', 'Suppressed'].map((category) => {
        const [event] = parse({ status: 'Error', category });
        return [category, event!.type === 'bounce' ? event!.bounceClass : event!.type];
      }),
    );
    expect(verdicts).toEqual({
      NoMailbox: 'hard', DNSProblem: 'hard',
      AccountProblem: 'soft', Spam: 'soft', BlackListed: 'soft', GreyListed: 'soft', Throttled: 'soft', Timeout: 'soft', ConnectionProblem: 'soft', SPFProblem: 'soft',
      WhitelistingProblem: 'soft', CodeError: 'soft', ConnectionTerminated: 'soft', ContentFilter: 'soft', Unknown: 'soft', SomethingNew: 'soft',
      Ignore: 'dropped', NotDelivered: 'dropped', NotDeliveredCancelled: 'dropped', ManualCancel: 'dropped', Suppressed: 'dropped',
    });
    const [noCategory] = parse({ status: 'Error' });
    expect(noCategory).toMatchObject({ type: 'bounce', bounceClass: 'soft' });
    expect(noCategory).not.toHaveProperty('detail');
  });

  it('keeps a key per event: the same notification twice is one, two opens or two clicks are two', () => {
    const key = (fields: Record<string, string>) => parse(fields)[0]!.key;
    expect(key({ status: 'Error', category: 'Spam' })).toBe(key({ status: 'Error', category: 'Spam' }));
    expect(key({ status: 'Opened' })).not.toBe(key({ status: 'Opened', date: '12/22/2017 9:04:10 PM' }));
    expect(key({ status: 'Clicked', target: 'https://a.example/' })).not.toBe(key({ status: 'Clicked', target: 'https://b.example/' }));
    // Without any id, the time tells two messages to one address apart.
    const bare = { to: 'a@example.com', status: 'Sent' };
    expect(elasticEmailWebhook.parse(notification({ ...bare, date: '1/2/2024 1:00:00 AM' }), source).events[0]!.key).not.toBe(elasticEmailWebhook.parse(notification({ ...bare, date: '1/3/2024 1:00:00 AM' }), source).events[0]!.key);
  });

  it('reads Elastic Email dates as UTC, 12-hour or 24-hour, and ISO 8601', () => {
    const at = (date: string) => parse({ status: 'Sent', date })[0]!.occurredAt;
    expect(at('12/22/2017 12:05:00 AM')).toBe(Date.UTC(2017, 11, 22, 0, 5, 0));
    expect(at('12/22/2017 12:05:00 PM')).toBe(Date.UTC(2017, 11, 22, 12, 5, 0));
    expect(at('7/8/2020 16:17:06')).toBe(Date.UTC(2020, 6, 8, 16, 17, 6));
    expect(at('2020-07-08T04:17:06')).toBe(Date.UTC(2020, 6, 8, 4, 17, 6));
    expect(at('2020-07-08T04:17:06+05:00')).toBe(Date.UTC(2020, 6, 7, 23, 17, 6));
    for (const date of ['', 'yesterday', '13/40/2017 9:03:39 PM', '2/31/2017 9:03:39 PM', '12/22/2017 25:00:00', '12/22/2017 9:61:00 PM']) {
      expect(() => parse({ status: 'Sent', date }), date).toThrow(WebhookPayloadError);
    }
  });

  it('takes our message id only from a numeric postback, and addresses bare and lower-cased', () => {
    for (const postback of ['', '0', 'abc', '12345678901234567', '5 5']) {
      expect(parse({ status: 'Sent', postback })[0]!.messageId, postback).toBeUndefined();
    }
    expect(parse({ status: 'Sent', to: 'Ann <Ann@Example.COM>' })[0]!.recipient).toBe('ann@example.com');
  });

  it('acknowledges statuses it does not track and refuses a notification without status', () => {
    for (const status of ['WaitingToRetry', 'constructor', '__proto__']) expect(parse({ status }), status).toEqual([]);
    expect(() => parse({ status: '' })).toThrow(WebhookPayloadError);
    expect(() => elasticEmailWebhook.parse(notification({ to: 'a@example.com' }), source)).toThrow(WebhookPayloadError);
  });

  it('answers Elastic Email\'s check of the notification URL (a GET with nothing but the token) with no events', () => {
    expect(elasticEmailWebhook.parse(notification({}), source)).toEqual({ events: [] });
    expect(() => elasticEmailWebhook.parse({ ...notification({}), method: 'POST' }, source)).toThrow(WebhookPayloadError);
  });

  it('authenticates by the URL token only, against the right source, and never puts the token in an event', async () => {
    const request = notification({ ...documented, status: 'Sent' });
    const other: ElasticSource = { id: 4, config: {}, secrets: { token: 'b'.repeat(32) } };
    expect(await elasticEmailWebhook.authenticate(request, [other, source], testContext())).toMatchObject({ ok: true, source: { id: 3 } });
    for (const token of [TOKEN.slice(0, -1), `${TOKEN}0`, TOKEN.toUpperCase(), '']) {
      expect((await elasticEmailWebhook.authenticate(notification({ status: 'Sent' }, token), [source], testContext())).ok, token).toBe(false);
    }
    const inHeader: WebhookRequest = { ...notification({ status: 'Sent' }), url: 'https://edge.test/hooks/elasticemail?status=Sent', headers: new Headers({ authorization: `Bearer ${TOKEN}` }) };
    expect((await elasticEmailWebhook.authenticate(inHeader, [source], testContext())).ok).toBe(false);
    expect((await elasticEmailWebhook.authenticate({ ...request, url: 'not a url' }, [source], testContext())).ok).toBe(false);
    expect(JSON.stringify(elasticEmailWebhook.parse(request, source))).not.toContain(TOKEN);
  });
});

describe('elasticemail webhook settings', () => {
  const secrets = elasticEmailWebhook.settings.secrets;

  it('wants a long URL-safe token and says how to make one', () => {
    expect(secrets.parse({ token: TOKEN })).toEqual({ token: TOKEN });
    for (const token of ['short', 'x'.repeat(23), `${'x'.repeat(24)}&status=Sent`, `${'x'.repeat(24)} `]) {
      expect(secrets.safeParse({ token }).error?.issues[0]?.message, token).toMatch(/openssl rand -hex 16/);
    }
    expect(secrets.safeParse({}).error?.issues[0]?.message).toMatch(/token is required/);
  });
});
