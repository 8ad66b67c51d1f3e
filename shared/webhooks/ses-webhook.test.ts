// The SES module: the shared conformance suite (the inner SES messages of the fixtures,
// wrapped in an SNS envelope as SNS delivers them; SNS's signed subscription confirmation),
// then topics, confirmations, every SES event kind and how events find our message.
// Event shapes not in the fixtures are AWS's documented examples:
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html
import { describe, expect, it } from 'vitest';
import { describeWebhookConformance, jsonRequest, testContext, type FixtureCase } from '../../test/helpers/webhook-conformance';
import { describeWithFixtures, readFixture, readFixtureJson } from '../../test/helpers/fixtures';
import { WebhookPayloadError, type WebhookSource } from './relay-webhook';
import { sesWebhook } from './ses-webhook';

const DONGIE_TOPIC = 'arn:aws:sns:us-west-2:131990247566:dongie-standard-topic';
const MAUTIC_TOPIC = 'arn:aws:sns:eu-west-1:918057160339:55hubs-mautic-test';
const RELAY_TOPIC = 'arn:aws:sns:us-east-1:032756942992:dev-relay-2022-04';
type SesSource = WebhookSource<{ topicArns: string[] }, Record<string, never>>;
const source: SesSource = { id: 7, config: { topicArns: [DONGIE_TOPIC, MAUTIC_TOPIC] }, secrets: {} };

/** Headers SNS sends with every delivery. */
function snsRequest(body: Uint8Array | string) {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const type = /"Type"\s*:\s*"(\w+)"/.exec(text)?.[1] ?? 'Notification';
  return jsonRequest(body, { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type }, 'https://edge.test/hooks/ses');
}

/** An SES message as SNS delivers it: the JSON text in `Message` of a Notification. */
function notificationOf(message: unknown, snsMessageId = '5b1d4b4c-0000-5000-8000-000000000001') {
  return snsRequest(
    JSON.stringify({
      Type: 'Notification',
      MessageId: snsMessageId,
      TopicArn: DONGIE_TOPIC,
      Message: typeof message === 'string' ? message : JSON.stringify(message),
      Timestamp: '2022-08-03T17:40:09.000Z',
      SignatureVersion: '1',
      Signature: 'AAAA',
      SigningCertURL: 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem',
    }),
  );
}

/** Serves the fixture certificates by file name; 404 for anything else. */
function certificateFetch(calls: string[] = []): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    const name = String(input).split('/').pop()!;
    if (!/^SimpleNotificationService-[0-9a-f]+\.pem$/.test(name)) return new Response('not found', { status: 404 });
    try {
      return new Response(new Uint8Array(readFixture(`vectors/certs/${name}`)));
    } catch {
      return new Response('not found', { status: 404 });
    }
  }) as typeof fetch;
}

const fixtures: FixtureCase[] = [
  {
    file: 'webhooks/ses-bounce-permanent.json',
    expected: [{
      type: 'bounce', bounceClass: 'hard', recipient: 'bounce@simulator.amazonses.com', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown',
      providerMessageId: '0100018264c6505e-66ca92ab-0593-41de-8df9-38b09a02a206-000000', occurredAt: Date.parse('2022-08-03T17:34:55.000Z'),
      key: 'ses:bounce:0100018264c6525d-e8967b05-82f8-4575-9413-34faff769528-000000:bounce@simulator.amazonses.com',
      detail: { bounceType: 'Permanent', bounceSubType: 'General' },
    }],
  },
  { file: 'webhooks/ses-bounce-transient.json', expected: [{ type: 'bounce', bounceClass: 'soft', recipient: 'ooto@simulator.amazonses.com', key: 'ses:bounce:0100018264c790f6-4eca7ee8-dd82-4f94-8b91-3b4917f769ec-000000:ooto@simulator.amazonses.com' }] },
  { file: 'webhooks/ses-bounce-permanent-suppressionlist.json', expected: [{ type: 'bounce', bounceClass: 'hard', recipient: 'suppressionlist@simulator.amazonses.com', status: '5.1.1' }] },
  { file: 'webhooks/ses-bounce-permanent-with-dsn.json', expected: [{ type: 'bounce', bounceClass: 'hard', recipient: 'jane@example.com', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 <jane@example.com>... User' }] },
  {
    file: 'webhooks/ses-complaint.json',
    expected: [{ type: 'complaint', recipient: 'complaint@simulator.amazonses.com', detail: { feedbackType: 'abuse' }, key: 'ses:complaint:0100018264c9a044-451ca066-90ad-47ac-ae48-df21fb8a2fe8-000000:complaint@simulator.amazonses.com' }],
  },
  { file: 'webhooks/ses-complaint-with-feedback.json', expected: [{ type: 'complaint', recipient: 'richard@example.com', occurredAt: Date.parse('2016-01-27T14:59:38.237Z') }] },
  {
    file: 'webhooks/ses-delivery.json',
    expected: [{
      type: 'delivered', recipient: 'success@simulator.amazonses.com', diagnostic: '250 2.6.0 Message received', occurredAt: Date.parse('2022-08-03T17:31:45.690Z'),
      key: 'ses:delivered:0100018264c36c7b-ac2351f4-6f04-48b4-b7e8-6103fd770c00-000000:success@simulator.amazonses.com',
    }],
  },
  { file: 'webhooks/ses-event-bounce.json', expected: [{ type: 'bounce', bounceClass: 'hard', recipient: 'recipient@example.com', status: '5.1.1' }] },
  {
    file: 'webhooks/ses-event-open.json',
    expected: [{ type: 'open', recipient: 'recipient@example.com', userAgent: expect.stringContaining('iPhone OS 10_3_3'), occurredAt: Date.parse('2017-08-09T22:00:19.652Z') }],
  },
  {
    file: 'webhooks/ses-event-click.json',
    expected: [{
      type: 'click', recipient: 'recipient@example.com', url: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html',
      key: 'ses:click:EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000@2017-08-09T23:51:25.570Z:recipient@example.com',
    }],
  },
];

describeWebhookConformance(sesWebhook, {
  source,
  fixtures,
  // A subscription confirmation is signed whole; a notification's UnsubscribeURL is not
  // (see sns-signature.test.ts, which checks every other byte of the notification vectors).
  signed: [{ name: 'SNS SubscriptionConfirmation (SignatureVersion 1)', request: () => snsRequest(new Uint8Array(readFixture('webhooks/sns-subscriptionconfirmation.json'))), context: { fetch: certificateFetch() } }],
  bodySigned: true,
  toRequest: (body) => notificationOf(new TextDecoder().decode(body)),
});

/** A source that allows exactly the topic of a vector. */
function sourceFor(topicArn: string, id = 11): SesSource {
  return { id, config: { topicArns: [topicArn] }, secrets: {} };
}

describeWithFixtures('ses webhook', () => {
  const signedVectors = ['vectors/sns-notification-sv1-nosubject.json', 'vectors/sns-notification-sv1-subject.json', 'vectors/sns-notification-sv2.json', 'vectors/sns-php-fixture-1-SV1.json', 'vectors/sns-php-fixture-2-SV2.json', 'vectors/sns-php-fixture-3-SV1-subject.json', 'vectors/sns-php-fixture-4-SV2-subject.json'];
  for (const file of signedVectors) {
    it(`authenticates ${file} for a source holding its topic, and only then`, async () => {
      const request = snsRequest(new Uint8Array(readFixture(file)));
      const topic = readFixtureJson(file).TopicArn as string;
      const context = testContext({ fetch: certificateFetch() });
      expect(await sesWebhook.authenticate(request, [sourceFor(RELAY_TOPIC, 12), sourceFor(topic)], context)).toMatchObject({ ok: true, source: { id: 11 } });
      expect((await sesWebhook.authenticate(request, [sourceFor(`${topic}-other`)], context)).ok).toBe(false);
    });
  }

  it('refuses the notification whose content was edited after SNS signed it', async () => {
    const request = snsRequest(new Uint8Array(readFixture('webhooks/sns-notification-ses-bounce-edited-badsig.json')));
    const result = await sesWebhook.authenticate(request, [sourceFor('arn:aws:sns:us-east-1:168781634622:ses-inbound-grelay')], testContext({ fetch: certificateFetch() }));
    expect(result).toEqual({ ok: false, reason: 'the SNS signature does not match the message' });
  });

  it('refuses a genuine confirmation for a topic no source holds, before fetching any certificate', async () => {
    const request = snsRequest(new Uint8Array(readFixture('webhooks/sns-subscriptionconfirmation-relay.json')));
    const fetched: string[] = [];
    const refused = await sesWebhook.authenticate(request, [source], testContext({ fetch: certificateFetch(fetched) }));
    expect(refused).toEqual({ ok: false, reason: `topic ${RELAY_TOPIC} is not in the topicArns of any saved SES source` });
    expect(fetched).toEqual([]);
    // The signature itself is good: allowing the topic is what lets it through.
    expect((await sesWebhook.authenticate(request, [sourceFor(RELAY_TOPIC)], testContext({ fetch: certificateFetch(fetched) }))).ok).toBe(true);
    expect(() => sesWebhook.parse(request, source)).toThrow(WebhookPayloadError);
  });

  it('hands back the SubscribeURL of a confirmation for an allowed topic', () => {
    for (const [file, topic] of [['webhooks/sns-subscriptionconfirmation.json', DONGIE_TOPIC], ['webhooks/sns-subscriptionconfirmation-mautic.json', MAUTIC_TOPIC]] as const) {
      const body = readFixtureJson(file);
      const parsed = sesWebhook.parse(snsRequest(JSON.stringify(body)), source);
      expect(parsed).toEqual({ events: [], confirmSubscriptionUrl: body.SubscribeURL });
      expect(parsed.confirmSubscriptionUrl).toMatch(new RegExp(`^https://sns\\.${topic.split(':')[3]}\\.amazonaws\\.com/\\?Action=ConfirmSubscription&`));
    }
  });

  it('never hands back a SubscribeURL off the SNS host of the topic region, or for another action', () => {
    const genuine = readFixtureJson('webhooks/sns-subscriptionconfirmation.json');
    const query = genuine.SubscribeURL.slice(genuine.SubscribeURL.indexOf('?'));
    for (const url of [
      `https://evil.example/${query}`,
      `http://sns.us-west-2.amazonaws.com/${query}`,
      `https://sns.us-east-1.amazonaws.com/${query}`,
      `https://sns.us-west-2.amazonaws.com.cn/${query}`,
      'https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
    ]) {
      expect(() => sesWebhook.parse(snsRequest(JSON.stringify({ ...genuine, SubscribeURL: url })), source), url).toThrow(WebhookPayloadError);
    }
  });

  it('parses the SES notifications SNS delivered to Mautic', () => {
    const bounce = sesWebhook.parse(snsRequest(new Uint8Array(readFixture('webhooks/sns-notification-ses-bounce.json'))), source);
    expect(bounce.events).toEqual([expect.objectContaining({
      type: 'bounce', bounceClass: 'hard', recipient: 'nope@nope.com', status: '5.1.1', providerMessageId: '010201569774384f-81311784-10dd-48a8-921f-8316c145e64d-000000',
      diagnostic: 'smtp; 550 5.1.1 <nope@nope.com>: Recipient address rejected: User unknown in virtual alias table',
    })]);
    // No `mail` at all in this one: no message to match, the complaint still counts for its address.
    const complaint = sesWebhook.parse(snsRequest(new Uint8Array(readFixture('webhooks/sns-notification-ses-complaint.json'))), source);
    expect(complaint.events).toEqual([expect.objectContaining({ type: 'complaint', recipient: 'richard@example.com', key: 'ses:complaint:0000013786031775-fea503bc-7497-49e1-881b-a0379bb037d3-000000:richard@example.com' })]);
    expect(complaint.events[0]!.providerMessageId).toBeUndefined();
    // The two files share one SNS MessageId; keys from the SES event keep them apart.
    expect(complaint.events[0]!.key).not.toBe(bounce.events[0]!.key);
  });

  it('parses the relay\'s OnAccountSuppressionList bounce as hard', () => {
    const parsed = sesWebhook.parse(snsRequest(new Uint8Array(readFixture('webhooks/sns-notification-ses-bounce-edited-badsig.json'))), source);
    expect(parsed.events).toEqual([expect.objectContaining({ type: 'bounce', bounceClass: 'hard', recipient: 'relayuser@test.com', detail: { bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList' } })]);
  });

  it('keeps one key for one SES event, whichever SNS message carried it', () => {
    const inner = readFixture('webhooks/ses-event-open.json').toString('utf8');
    const first = sesWebhook.parse(notificationOf(inner, 'a0000000-0000-5000-8000-000000000001'), source).events;
    const second = sesWebhook.parse(notificationOf(inner, 'b0000000-0000-5000-8000-000000000002'), source).events;
    expect(second.map((e) => e.key)).toEqual(first.map((e) => e.key));
  });
});

describe('ses webhook events', () => {
  const mail = {
    timestamp: '2020-06-16T00:15:40.641Z',
    source: 'sender@example.com',
    messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
    destination: ['Recipient@Example.com'],
    tags: { 'ses:configuration-set': ['ConfigSet'], edgepost_message: ['4242'] },
  };
  const parse = (message: unknown) => sesWebhook.parse(notificationOf(message), source).events;

  it('finds our message id in the edgepost_message tag, else in our header', () => {
    expect(parse({ eventType: 'Reject', mail, reject: { reason: 'Bad content' } })[0]).toMatchObject({ messageId: 4242, providerMessageId: mail.messageId });
    const headers = [{ name: 'From', value: 'sender@example.com' }, { name: 'X-Edgepost-Message', value: '77' }];
    expect(parse({ eventType: 'Reject', mail: { ...mail, tags: {}, headers }, reject: { reason: 'Bad content' } })[0]!.messageId).toBe(77);
    for (const value of ['0', '-1', '7a', '99999999999999999', '']) {
      expect(parse({ eventType: 'Reject', mail: { ...mail, tags: { edgepost_message: [value] } }, reject: {} })[0]!.messageId, value).toBeUndefined();
    }
  });

  it('makes one event per recipient, addresses bare and lower-cased', () => {
    const events = parse({
      notificationType: 'Bounce',
      mail,
      bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', feedbackId: 'fb-1', timestamp: '2020-06-16T00:20:00.000Z', bouncedRecipients: [{ emailAddress: 'A@Example.com' }, { emailAddress: '"B" <B@example.com>' }] },
    });
    expect(events[0]).not.toHaveProperty('status');
    expect(events.map((e) => [e.recipient, e.bounceClass, e.key])).toEqual([
      ['a@example.com', 'soft', 'ses:bounce:fb-1:a@example.com'],
      ['b@example.com', 'soft', 'ses:bounce:fb-1:b@example.com'],
    ]);
  });

  it('reads a delivery delay as deferred, per delayed recipient', () => {
    const events = parse({
      eventType: 'DeliveryDelay',
      mail,
      deliveryDelay: { timestamp: '2020-06-16T00:25:40.095Z', delayType: 'TransientCommunicationFailure', expirationTime: '2020-06-16T00:25:40.914Z', delayedRecipients: [{ emailAddress: 'recipient@example.com', status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host' }] },
    });
    expect(events).toEqual([expect.objectContaining({ type: 'deferred', recipient: 'recipient@example.com', status: '4.4.1', diagnostic: 'smtp; 421 4.4.1 Unable to connect to remote host', detail: { delayType: 'TransientCommunicationFailure' }, occurredAt: Date.parse('2020-06-16T00:25:40.095Z') })]);
  });

  it('reads a reject and a rendering failure as dropped, at the time of the mail', () => {
    expect(parse({ eventType: 'Reject', mail, reject: { reason: 'Bad content' } })).toEqual([expect.objectContaining({ type: 'dropped', recipient: 'recipient@example.com', diagnostic: 'Bad content', occurredAt: Date.parse(mail.timestamp), detail: { sesEvent: 'Reject' } })]);
    const failure = { errorMessage: 'Attribute \'attributeName\' is not present in the rendering data.', templateName: 'MyTemplate' };
    expect(parse({ eventType: 'Rendering Failure', mail, failure })).toEqual([expect.objectContaining({ type: 'dropped', diagnostic: failure.errorMessage, detail: { sesEvent: 'Rendering Failure', templateName: 'MyTemplate' } })]);
  });

  it('reads a subscription change as an unsubscribe only when the recipient opted out', () => {
    const subscription = (newTopicPreferences: unknown) => ({ eventType: 'Subscription', mail, subscription: { contactList: 'ContactListName', timestamp: '2022-01-12T01:00:17.910Z', source: 'UnsubscribeHeader', newTopicPreferences } });
    expect(parse(subscription({ unsubscribeAll: true, topicSubscriptionStatus: [] }))).toEqual([expect.objectContaining({ type: 'unsubscribe', recipient: 'recipient@example.com', detail: { contactList: 'ContactListName', via: 'UnsubscribeHeader' } })]);
    expect(parse(subscription({ unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'Sports', subscriptionStatus: 'OptOut' }] }))).toHaveLength(1);
    expect(parse(subscription({ unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'Sports', subscriptionStatus: 'OptIn' }] }))).toEqual([]);
  });

  it('ignores kinds Edgepost does not track, and refuses what is not an SES message', () => {
    expect(parse({ eventType: 'Send', mail, send: {} })).toEqual([]);
    expect(parse({ eventType: 'constructor', mail })).toEqual([]);
    expect(sesWebhook.parse(snsRequest(JSON.stringify({ Type: 'UnsubscribeConfirmation', MessageId: '1', TopicArn: DONGIE_TOPIC, Message: 'bye', Timestamp: '2022-01-01T00:00:00Z', Token: 't', SubscribeURL: 'https://sns.us-west-2.amazonaws.com/' })), source)).toEqual({ events: [] });
    for (const message of ['Hello world', '{"hello":"world"}', '[1]']) {
      expect(() => sesWebhook.parse(notificationOf(message), source), message).toThrow(WebhookPayloadError);
    }
    expect(() => parse({ eventType: 'Open', mail: { messageId: 'm', timestamp: 'never' }, open: { timestamp: 'soon' } })).not.toThrow();
  });

  it('keys an event without SES ids by the SNS message that carried it', () => {
    const [event] = parse({ eventType: 'Open', mail: { destination: ['r@example.com'] }, open: {} });
    expect(event!.key).toBe('ses:open:sns-5b1d4b4c-0000-5000-8000-000000000001:r@example.com');
    expect(event!.occurredAt).toBe(Date.parse('2022-08-03T17:40:09.000Z'));
  });

  it('refuses hostile requests with a reason, never a throw', async () => {
    const bodies = ['', '{', '[]', 'null', '{"Type":"Notification","TopicArn":{"x":1}}', `{"Type":"Notification","MessageId":"1","TopicArn":"${DONGIE_TOPIC}","Message":"{}","Timestamp":"t","Signature":"%%%","SignatureVersion":"1","SigningCertURL":"https://sns.us-west-2.amazonaws.com/x.pem"}`, '\u0000'.repeat(64)];
    for (const body of bodies) {
      const result = await sesWebhook.authenticate(snsRequest(body), [source], testContext());
      expect(result.ok, body).toBe(false);
    }
  });
});

describe('ses webhook settings', () => {
  const config = sesWebhook.settings.config;

  it('takes SNS topic ARNs of the partitions SES runs in', () => {
    expect(config.parse({ topicArns: [' arn:aws:sns:eu-west-1:123456789012:ses-events '] })).toEqual({ topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events'] });
    expect(config.safeParse({ topicArns: ['arn:aws-us-gov:sns:us-gov-west-1:123456789012:ses'] }).success).toBe(true);
  });

  it('says what to fix', () => {
    expect(config.safeParse({ topicArns: [] }).error?.issues[0]?.message).toMatch(/at least one SNS topic ARN/);
    expect(config.safeParse({ topicArns: ['arn:aws:sqs:eu-west-1:123456789012:q'] }).error?.issues[0]?.message).toMatch(/arn:aws:sns:eu-west-1:123456789012:ses-events/);
    expect(config.safeParse({ topicArns: ['arn:aws-cn:sns:cn-north-1:123456789012:ses'] }).success).toBe(false);
    expect(config.safeParse({ topicArns: ['arn:aws:sns:eu-west-1:123456789012:t'], extra: 1 }).success).toBe(false);
  });
});
