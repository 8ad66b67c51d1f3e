import { describe, expect, it } from 'vitest';
import { MESSAGE_ID_FIELD } from '../drivers/message-marks';
import { describeWithFixtures, readFixture, readFixtureJson } from '../../test/helpers/fixtures';
import { describeWebhookConformance, jsonRequest, testContext } from '../../test/helpers/webhook-conformance';
import type { BasicAuthConfig, BasicAuthSecrets } from './basic-auth';
import { WebhookPayloadError, type WebhookSource } from './relay-webhook';
import { sparkpostWebhook } from './sparkpost-webhook';

const source: WebhookSource<BasicAuthConfig, BasicAuthSecrets> = { id: 9, config: { username: 'sparkpost' }, secrets: { password: 'a-sparkpost-webhook-password' } };
const BATCH = 'webhooks/sparkpost-batch-bounce-spamcomplaint-oob-policy-unsub.json';
const RECIPIENT = 'recipient@example.com';
const common = { providerMessageId: '65832150921904138', occurredAt: 1454442600000 };
const hardBounce = { type: 'bounce', bounceClass: 'hard', recipient: RECIPIENT, key: `sparkpost:92356927693813856:bounce:${RECIPIENT}`, detail: { bounceClassCode: 10, errorCode: '554' } } as const;

function parseEvents(events: Record<string, unknown>[], category = 'message_event') {
  return sparkpostWebhook.parse(jsonRequest(JSON.stringify(events.map((event) => ({ msys: { [category]: event } })))), source).events;
}

describeWebhookConformance(sparkpostWebhook, {
  source,
  bodySigned: false,
  fixtures: [
    {
      // Nine sample events sharing one event_id: three of the bounces are the same event by
      // type and recipient, so they share a key and are recorded once.
      file: BATCH,
      expected: [
        { ...hardBounce, ...common, diagnostic: 'MAIL REFUSED - IP (17.99.99.99) is in black list' },
        { type: 'complaint', recipient: RECIPIENT, key: `sparkpost:92356927693813856:spam_complaint:${RECIPIENT}`, detail: { feedbackType: 'abuse' }, ...common },
        { type: 'bounce', bounceClass: 'soft', key: `sparkpost:92356927693813856:out_of_band:${RECIPIENT}`, detail: { bounceClassCode: 1 } },
        { type: 'dropped', key: `sparkpost:92356927693813856:policy_rejection:${RECIPIENT}`, detail: { bounceClassCode: 25 } },
        { type: 'unsubscribe', key: `sparkpost:92356927693813856:list_unsubscribe:${RECIPIENT}` },
        { type: 'unsubscribe', key: `sparkpost:92356927693813856:link_unsubscribe:${RECIPIENT}` },
        hardBounce,
        hardBounce,
        { ...hardBounce, recipient: 'bounce@example.com', key: 'sparkpost:92356927693813856:bounce:bounce@example.com' },
      ],
    },
  ],
  signed: [
    {
      name: 'the sample batch with the webhook\'s basic-auth pair',
      request: () => jsonRequest(new Uint8Array(readFixture(BATCH)), { authorization: `Basic ${btoa('sparkpost:a-sparkpost-webhook-password')}` }),
    },
  ],
});

describe('sparkpost webhook authentication', () => {
  it('refuses a wrong pair, and takes the right one', async () => {
    const authenticate = (pair: string) => sparkpostWebhook.authenticate(jsonRequest('[]', { authorization: `Basic ${btoa(pair)}` }), [source], testContext());
    expect((await authenticate('sparkpost:a-sparkpost-webhook-passworD')).ok).toBe(false);
    expect((await authenticate('Sparkpost:a-sparkpost-webhook-password')).ok).toBe(false);
    expect(await authenticate('sparkpost:a-sparkpost-webhook-password')).toMatchObject({ ok: true, source: { id: 9 } });
  });
});

describeWithFixtures('sparkpost webhook events', () => {
  const bounce = () => readFixtureJson(BATCH)[0].msys.message_event as Record<string, unknown>;

  it('matches our message through the metadata key the driver sets', () => {
    const [event] = parseEvents([{ ...bounce(), rcpt_meta: { [MESSAGE_ID_FIELD]: '5' } }]);
    expect(event).toMatchObject({ messageId: 5, providerMessageId: '65832150921904138' });
  });

  it('classifies bounces by SparkPost\'s bounce class table', () => {
    const cases: [string, Record<string, unknown> | null][] = [
      ['10', { type: 'bounce', bounceClass: 'hard' }],
      ['30', { type: 'bounce', bounceClass: 'hard' }],
      ['90', { type: 'unsubscribe' }],
      ['25', { type: 'dropped' }],
      ['26', { type: 'dropped' }],
      ['1', { type: 'bounce', bounceClass: 'soft' }],
      ['22', { type: 'bounce', bounceClass: 'soft' }],
      ['51', { type: 'bounce', bounceClass: 'soft' }],
      ['70', { type: 'bounce', bounceClass: 'soft' }],
      ['100', { type: 'bounce', bounceClass: 'soft' }],
      ['60', null],
      ['80', null],
    ];
    for (const [bounceClass, expected] of cases) {
      for (const type of ['bounce', 'out_of_band']) {
        const events = parseEvents([{ ...bounce(), type, bounce_class: bounceClass }]);
        if (expected) expect(events, `${type} ${bounceClass}`).toEqual([expect.objectContaining(expected)]);
        else expect(events, `${type} ${bounceClass}`).toEqual([]);
      }
    }
  });

  it('reads deliveries, delays, engagement and enhanced status codes', () => {
    const events = parseEvents([
      { ...bounce(), type: 'delivery' },
      { ...bounce(), type: 'delay', raw_reason: '451 4.7.650 The mail server has been temporarily rate limited' },
      { ...bounce(), type: 'injection' },
      { ...bounce(), type: 'spam_complaint', fbtype: 'not-spam' },
    ]);
    expect(events.map((e) => [e.type, e.status])).toEqual([['delivered', undefined], ['deferred', '4.7.650']]);
    const [open, click] = [
      ...parseEvents([{ ...bounce(), type: 'initial_open', user_agent: 'Mozilla/5.0' }], 'track_event'),
      ...parseEvents([{ ...bounce(), type: 'click', target_link_url: 'https://example.com/a', user_agent: 'Mozilla/5.0' }], 'track_event'),
    ];
    expect(open).toMatchObject({ type: 'open', userAgent: 'Mozilla/5.0' });
    expect(click).toMatchObject({ type: 'click', url: 'https://example.com/a' });
  });

  it('takes SparkPost\'s empty test item, and refuses items it cannot read', () => {
    expect(sparkpostWebhook.parse(jsonRequest('[{"msys":{}}]'), source).events).toEqual([]);
    expect(parseEvents([{ ...bounce(), timestamp: '2016-02-02T19:50:00.000Z' }])[0]?.occurredAt).toBe(Date.parse('2016-02-02T19:50:00Z'));
    expect(() => parseEvents([{ ...bounce(), timestamp: 'later' }])).toThrow(/timestamp/);
    expect(() => parseEvents([{ ...bounce(), event_id: undefined }])).toThrow(WebhookPayloadError);
    expect(() => sparkpostWebhook.parse(jsonRequest('[{"event":{}}]'), source)).toThrow(/msys/);
  });
});
