import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MESSAGE_ID_FIELD } from '../drivers/message-marks';
import { describeWithFixtures, readFixtureJson } from '../../test/helpers/fixtures';
import { describeWebhookConformance, jsonRequest, testContext } from '../../test/helpers/webhook-conformance';
import { WebhookPayloadError, type WebhookSource } from './relay-webhook';
import {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  SENDGRID_TIMESTAMP_WINDOW_MS,
  derToP1363,
  sendgridWebhook,
  type SendgridConfig,
} from './sendgrid-webhook';

interface Vector {
  public_key: string;
  timestamp: string;
  raw_body: string;
  signature: string;
  expect_valid: boolean;
}

type SendgridSource = WebhookSource<SendgridConfig, Record<string, never>>;

// vectors/sendgrid-ecdsa-vectors.json: [0] valid (sendgrid-nodejs), [1] the same with one
// signature byte changed, [2] valid, a real batch ending with CRLF (sendgrid-ruby).
const vector = (i: number) => readFixtureJson<{ vectors: Vector[] }>('vectors/sendgrid-ecdsa-vectors.json').vectors[i]!;
const sourceOf = (v: Vector, id: number): SendgridSource => ({ id, config: { publicKey: v.public_key }, secrets: {} });
const signedRequest = (v: Vector, body = v.raw_body, timestamp = v.timestamp) => jsonRequest(body, { [SENDGRID_SIGNATURE_HEADER]: v.signature, [SENDGRID_TIMESTAMP_HEADER]: timestamp });
const clockOf = (v: Vector) => () => Number(v.timestamp) * 1000 + 10_000;

const RUBY_KEY = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
const source: SendgridSource = { id: 5, config: { publicKey: RUBY_KEY }, secrets: {} };

function parseItems(items: unknown[]) {
  return sendgridWebhook.parse(jsonRequest(JSON.stringify(items)), source).events;
}

const SAMPLE = { email: 'Example@Test.com', timestamp: 1513299569, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', sg_event_id: 'sg_event_id', sg_message_id: 'sg_message_id' };

describeWebhookConformance(sendgridWebhook, {
  source,
  bodySigned: true,
  fixtures: [
    {
      file: 'webhooks/sendgrid-bounce.json',
      expected: [{
        type: 'bounce',
        bounceClass: 'hard',
        key: 'sendgrid:sg_event_id:bounce',
        recipient: 'example@test.com',
        providerMessageId: 'sg_message_id',
        occurredAt: 1513299569000,
        status: '5.0.0',
        diagnostic: '500 unknown recipient',
        detail: { bounceType: 'bounce', classification: 'invalid' },
      }],
    },
    { file: 'webhooks/sendgrid-dropped.json', expected: [{ type: 'dropped', bounceClass: 'hard', key: 'sendgrid:sg_event_id:dropped', diagnostic: 'Bounced Address', status: '5.0.0' }] },
    { file: 'webhooks/sendgrid-spamreport.json', expected: [{ type: 'complaint', key: 'sendgrid:sg_event_id:spamreport', recipient: 'example@test.com' }] },
    { file: 'webhooks/sendgrid-deferred.json', expected: [{ type: 'deferred', diagnostic: '400 try again later', detail: { attempt: 5 } }] },
    { file: 'webhooks/sendgrid-open.json', expected: [{ type: 'open', machine: false, userAgent: expect.stringContaining('MSIE 6.1') }] },
    { file: 'webhooks/sendgrid-click.json', expected: [{ type: 'click', url: 'http://www.sendgrid.com/', key: 'sendgrid:sg_event_id:click' }] },
    {
      // One sg_event_id for both events of the batch: the event name keeps them apart.
      file: 'webhooks/sendgrid-batch-dropped-click.json',
      expected: [
        { type: 'dropped', key: 'sendgrid:ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA:dropped', recipient: 'hello@world.com', providerMessageId: 'LRzXl_NHStOGhQ4kofSm_A', occurredAt: 1600112492000 },
        { type: 'click', key: 'sendgrid:ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA:click', recipient: 'hello@world.com', providerMessageId: 'LRzXl_NHStOGhQ4kofSm_A' },
      ],
    },
  ],
  signed: [
    { name: 'sendgrid-nodejs vector', request: () => signedRequest(vector(0)), context: { now: clockOf(vector(0)) }, source: sourceOf(vector(0), 6) },
    { name: 'sendgrid-ruby vector (batch ending with CRLF)', request: () => signedRequest(vector(2)), context: { now: clockOf(vector(2)) } },
  ],
});

describeWithFixtures('sendgrid webhook signature', () => {
  const authenticate = (request: ReturnType<typeof signedRequest>, v: Vector, now = clockOf(v)) => sendgridWebhook.authenticate(request, [sourceOf(v, 1)], testContext({ now }));

  it('refuses the invalid vector (one signature byte changed)', async () => {
    expect(vector(1).expect_valid).toBe(false);
    expect(await authenticate(signedRequest(vector(1)), vector(1))).toMatchObject({ ok: false, reason: expect.stringContaining('matches no saved verification key') });
  });

  it('verifies the raw bytes: the batch without its trailing CRLF does not verify', async () => {
    const v = vector(2);
    expect(v.raw_body.endsWith('\r\n')).toBe(true);
    expect((await authenticate(signedRequest(v), v)).ok).toBe(true);
    expect((await authenticate(signedRequest(v, v.raw_body.trimEnd()), v)).ok).toBe(false);
    // And the batch still parses, CRLF and all.
    expect(sendgridWebhook.parse(signedRequest(v), source).events).toEqual([expect.objectContaining({ type: 'dropped', recipient: 'hello@world.com' })]);
  });

  it('refuses a signed timestamp more than 5 minutes away, and a timestamp other than the signed one', async () => {
    const v = vector(0);
    const signedAt = Number(v.timestamp) * 1000;
    for (const skew of [SENDGRID_TIMESTAMP_WINDOW_MS + 1000, -SENDGRID_TIMESTAMP_WINDOW_MS - 1000]) {
      expect(await authenticate(signedRequest(v), v, () => signedAt + skew)).toMatchObject({ ok: false, reason: expect.stringContaining('more than 5 minutes') });
    }
    expect((await authenticate(signedRequest(v, v.raw_body, String(Number(v.timestamp) + 1)), v)).ok).toBe(false);
  });

  it('refuses requests without the headers or with a signature that is not DER, without throwing', async () => {
    const v = vector(0);
    const cases = [
      jsonRequest(v.raw_body, { [SENDGRID_TIMESTAMP_HEADER]: v.timestamp }),
      jsonRequest(v.raw_body, { [SENDGRID_SIGNATURE_HEADER]: v.signature }),
      jsonRequest(v.raw_body, { [SENDGRID_SIGNATURE_HEADER]: '%%%', [SENDGRID_TIMESTAMP_HEADER]: v.timestamp }),
      jsonRequest(v.raw_body, { [SENDGRID_SIGNATURE_HEADER]: btoa('not a signature'), [SENDGRID_TIMESTAMP_HEADER]: v.timestamp }),
      jsonRequest(v.raw_body, { [SENDGRID_SIGNATURE_HEADER]: v.signature, [SENDGRID_TIMESTAMP_HEADER]: 'yesterday' }),
    ];
    for (const request of cases) expect((await authenticate(request, v)).ok).toBe(false);
  });

  it('keeps the imported key per isolate, and forgets a key that does not import', async () => {
    const v = vector(0);
    const context = testContext({ now: clockOf(v) });
    const broken: SendgridSource = { id: 2, config: { publicKey: 'bm90IGEga2V5' }, secrets: {} };
    expect(await sendgridWebhook.authenticate(signedRequest(v), [broken, sourceOf(v, 1)], context)).toMatchObject({ ok: true, source: { id: 1 } });
    expect([...context.keyCache.keys()]).toEqual([`sendgrid:${v.public_key}`]);
    expect((await sendgridWebhook.authenticate(signedRequest(v), [sourceOf(v, 1)], context)).ok).toBe(true);
  });
});

describe('derToP1363', () => {
  it('turns every DER signature into the r || s form that verifies, short and padded integers included', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const lengths = new Set<number>();
    for (let i = 0; i < 4000 && !(lengths.has(70) && lengths.has(72)); i++) {
      const data = randomBytes(16);
      const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
      const p1363 = derToP1363(der);
      expect(p1363).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363!)).toBe(true);
      lengths.add(der.length);
    }
    // 72 bytes: both integers carry a sign byte; 70 or fewer: one is shorter than 32 bytes.
    expect(lengths.has(72)).toBe(true);
    expect([...lengths].some((n) => n <= 70)).toBe(true);
  });

  it('refuses what is not strict DER with integers that fit', () => {
    const int = (bytes: number[]) => [0x02, bytes.length, ...bytes];
    const seq = (...parts: number[][]) => new Uint8Array([0x30, parts.flat().length, ...parts.flat()]);
    expect(derToP1363(seq(int([1]), int([2])))).toEqual(new Uint8Array([...new Array(31).fill(0), 1, ...new Array(31).fill(0), 2]));
    expect(derToP1363(seq(int([0x80]), int([2]))), 'negative').toBeNull();
    expect(derToP1363(seq(int([0, 1]), int([2]))), 'needless leading zero').toBeNull();
    expect(derToP1363(seq(int(new Array(33).fill(1)), int([2]))), 'too long').toBeNull();
    expect(derToP1363(new Uint8Array([0x31, 6, ...int([1]), ...int([2])])), 'not a sequence').toBeNull();
    expect(derToP1363(new Uint8Array([0x30, 7, ...int([1]), ...int([2])])), 'wrong length').toBeNull();
    expect(derToP1363(new Uint8Array([0x30, 7, ...int([1]), ...int([2]), 0])), 'trailing byte').toBeNull();
  });
});

describe('sendgrid webhook events', () => {
  it('matches our message through the custom arg the driver sets', () => {
    expect(parseItems([{ ...SAMPLE, event: 'delivered', [MESSAGE_ID_FIELD]: '12' }])[0]).toMatchObject({ type: 'delivered', messageId: 12, recipient: 'example@test.com' });
    expect(parseItems([{ ...SAMPLE, event: 'delivered', [MESSAGE_ID_FIELD]: 'twelve' }])[0]?.messageId).toBeUndefined();
  });

  it('classifies bounces by classification, then by bounce type', () => {
    const classOf = (over: Record<string, unknown>) => parseItems([{ ...SAMPLE, event: 'bounce', ...over }])[0]?.bounceClass;
    expect(classOf({ bounce_classification: 'Invalid Address' })).toBe('hard');
    expect(classOf({ bounce_classification: 'Mailbox Unavailable' })).toBe('soft');
    expect(classOf({ bounce_classification: 'Reputation', type: 'blocked' })).toBe('soft');
    expect(classOf({ type: 'blocked' })).toBe('soft');
    expect(classOf({ type: 'bounce' })).toBe('hard');
  });

  it('maps engagement and list events, and skips the rest', () => {
    const events = parseItems([
      { ...SAMPLE, event: 'processed' },
      { ...SAMPLE, event: 'open', sg_machine_open: true },
      { ...SAMPLE, event: 'group_unsubscribe', asm_group_id: 42 },
      { ...SAMPLE, event: 'unsubscribe' },
      { ...SAMPLE, event: 'group_resubscribe' },
      { ...SAMPLE, event: 'dropped', reason: 'Unsubscribed Address' },
    ]);
    expect(events.map((e) => [e.type, e.machine ?? e.bounceClass ?? e.detail?.asmGroupId ?? null])).toEqual([['open', true], ['unsubscribe', 42], ['unsubscribe', null], ['dropped', null]]);
  });

  it('keys an event without sg_event_id by its own fields, the same on every delivery', () => {
    const { sg_event_id: _id, ...bare } = SAMPLE;
    const [first] = parseItems([{ ...bare, event: 'click', url: 'https://a.example/' }]);
    const [other] = parseItems([{ ...bare, event: 'click', url: 'https://b.example/' }]);
    expect(first?.key).toBe(parseItems([{ ...bare, event: 'click', url: 'https://a.example/' }])[0]?.key);
    expect(first?.key).not.toBe(other?.key);
  });

  it('refuses a batch whose items are not events', () => {
    expect(() => parseItems([{ ...SAMPLE, event: 'open' }, 'open'])).toThrow(/event 1 is not a JSON object/);
    expect(() => parseItems([{ ...SAMPLE, event: 'open', timestamp: 'soon' }])).toThrow(WebhookPayloadError);
    expect(() => sendgridWebhook.parse(jsonRequest('{"event":"open"}'), source)).toThrow(/JSON array/);
  });
});

describe('sendgrid webhook settings', () => {
  it('takes the key with or without PEM armour, and says what a wrong one should look like', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${RUBY_KEY.slice(0, 64)}\n${RUBY_KEY.slice(64)}\n-----END PUBLIC KEY-----\n`;
    const parsed = sendgridWebhook.settings.config.parse({ publicKey: pem });
    expect(parsed).toEqual({ publicKey: RUBY_KEY });
    expect(sendgridWebhook.settings.config.parse(parsed)).toEqual(parsed);
    expect(sendgridWebhook.settings.config.safeParse({ publicKey: 'SG.api-key-by-mistake' }).error?.issues[0]?.message).toMatch(/Verification Key/);
    expect(sendgridWebhook.settings.config.safeParse({ publicKey: RUBY_KEY.slice(0, -8) }).success).toBe(false);
  });
});
