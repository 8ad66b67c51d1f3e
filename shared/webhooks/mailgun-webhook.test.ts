import { describe, expect, it } from 'vitest';
import { MAILGUN_MESSAGE_VARIABLE } from '../drivers/message-marks';
import { describeWithFixtures, readFixture, readFixtureJson } from '../../test/helpers/fixtures';
import { describeWebhookConformance, jsonRequest, testContext, type SignedCase } from '../../test/helpers/webhook-conformance';
import { MAILGUN_TIMESTAMP_WINDOW_MS, mailgunWebhook, type MailgunSecrets } from './mailgun-webhook';
import { WebhookPayloadError, type WebhookSource } from './relay-webhook';

// The signing key Symfony's Mailgun tests use; every Mailgun fixture is signed with it
// (vectors/mailgun-signature-vectors.json).
const SIGNING_KEY = 'key-0p6mqbf74lb20gzq9f4dhpn9rg3zyk26';
const source: WebhookSource<Record<string, never>, MailgunSecrets> = { id: 3, config: {}, secrets: { signingKey: SIGNING_KEY } };
const ALICE = 'alice@example.com';

const files = ['accepted', 'clicked', 'complained', 'delivered', 'failed-permanent', 'failed-permanent-nodescription', 'failed-suppressed', 'failed-temporary', 'opened', 'unsubscribed'];

function fixtureRequest(name: string) {
  return jsonRequest(new Uint8Array(readFixture(`webhooks/mailgun-${name}.json`)));
}

/** The epoch ms a fixture was signed at: the tests' clocks are set from it. */
function signedAt(name: string): number {
  return Number(readFixtureJson(`webhooks/mailgun-${name}.json`).signature.timestamp) * 1000;
}

function parseData(data: Record<string, unknown>) {
  return mailgunWebhook.parse(jsonRequest(JSON.stringify({ 'event-data': data })), source).events;
}

describeWebhookConformance(mailgunWebhook, {
  source,
  // Mailgun signs timestamp + token only, never the event data: a changed byte inside
  // "event-data" still verifies, so the whole-body mutation check cannot hold. The signature
  // block's own bytes are checked below instead.
  bodySigned: false,
  fixtures: [
    { file: 'webhooks/mailgun-accepted.json', expected: [] },
    {
      file: 'webhooks/mailgun-delivered.json',
      expected: [{
        type: 'delivered',
        key: 'mailgun:CPgfbmQMTCKtHW6uIWtuVe:delivered:1521472262',
        recipient: ALICE,
        providerMessageId: '20130503182626.18666.16540@app.symfony.com',
        occurredAt: 1521472262000,
      }],
    },
    {
      file: 'webhooks/mailgun-failed-permanent.json',
      expected: [{
        type: 'bounce',
        bounceClass: 'hard',
        key: 'mailgun:G9Bn5sl1TC6nu79C8C0bwg:bounce:1521233195',
        recipient: ALICE,
        occurredAt: 1521233195376,
        diagnostic: 'No Such User Here',
        detail: { reason: 'bounce', severity: 'permanent', code: 550 },
      }],
    },
    // The same event with one field fewer: the same key, so it is recorded once.
    { file: 'webhooks/mailgun-failed-permanent-nodescription.json', expected: [{ type: 'bounce', bounceClass: 'hard', key: 'mailgun:G9Bn5sl1TC6nu79C8C0bwg:bounce:1521233195' }] },
    {
      file: 'webhooks/mailgun-failed-suppressed.json',
      expected: [{ type: 'dropped', bounceClass: 'hard', key: 'mailgun:G9Bn5sl1TC6nu79C8C0bwg:dropped:1521233195', diagnostic: 'Not delivering to previously bounced address', detail: { reason: 'suppress-bounce', code: 605 } }],
    },
    { file: 'webhooks/mailgun-failed-temporary.json', expected: [{ type: 'deferred', status: '4.2.2', recipient: ALICE, diagnostic: expect.stringContaining('over quota') }] },
    { file: 'webhooks/mailgun-complained.json', expected: [{ type: 'complaint', recipient: ALICE, key: 'mailgun:-Agny091SquKnsrW2NEKUA:complaint:1521233123' }] },
    { file: 'webhooks/mailgun-opened.json', expected: [{ type: 'open', key: 'mailgun:Ase7i2zsRYeDXztHGENqRA:open:1521243339', userAgent: expect.stringContaining('Chrome/26') }] },
    { file: 'webhooks/mailgun-clicked.json', expected: [{ type: 'click', key: 'mailgun:Ase7i2zsRYeDXztHGENqRA:click:1521243339', recipient: ALICE }] },
    { file: 'webhooks/mailgun-unsubscribed.json', expected: [{ type: 'unsubscribe', key: 'mailgun:Ase7i2zsRYeDXztHGENqRA:unsubscribe:1521243339', recipient: ALICE }] },
  ],
  signed: files.map((name): SignedCase => ({
    name: `mailgun-${name}.json`,
    request: () => fixtureRequest(name),
    context: { now: () => signedAt(name) + 30_000 },
  })),
});

describeWithFixtures('mailgun webhook authentication', () => {
  const at = () => signedAt('failed-permanent');

  it('refuses a timestamp more than 5 minutes away, either way', async () => {
    const request = fixtureRequest('failed-permanent');
    for (const skew of [MAILGUN_TIMESTAMP_WINDOW_MS + 1000, -MAILGUN_TIMESTAMP_WINDOW_MS - 1000]) {
      const result = await mailgunWebhook.authenticate(request, [source], testContext({ now: () => at() + skew }));
      expect(result, String(skew)).toMatchObject({ ok: false, reason: expect.stringContaining('more than 5 minutes') });
    }
    expect((await mailgunWebhook.authenticate(request, [source], testContext({ now: () => at() + MAILGUN_TIMESTAMP_WINDOW_MS }))).ok).toBe(true);
  });

  it('names the token as the single-use value for the route to claim, valid past the window', async () => {
    const result = await mailgunWebhook.authenticate(fixtureRequest('failed-permanent'), [source], testContext({ now: () => at() + 1000 }));
    const token = readFixtureJson('webhooks/mailgun-failed-permanent.json').signature.token;
    expect(result).toMatchObject({ ok: true, replayKey: { key: `mailgun:${token}`, expiresAt: at() + 2 * MAILGUN_TIMESTAMP_WINDOW_MS } });
  });

  it('refuses every single-byte change inside the signature block', async () => {
    const genuine = fixtureRequest('delivered');
    const text = new TextDecoder().decode(genuine.body);
    const start = text.indexOf('"signature": {');
    const end = text.indexOf('}', start);
    const context = () => testContext({ now: () => signedAt('delivered') });
    const accepted: number[] = [];
    for (let position = start + '"signature": {'.length; position < end; position++) {
      const body = genuine.body.slice();
      body[position] = body[position]! ^ 0x01;
      if ((await mailgunWebhook.authenticate({ ...genuine, body }, [source], context())).ok) accepted.push(position);
    }
    expect(end - start).toBeGreaterThan(150);
    expect(accepted).toEqual([]);
  });

  it('finds the source whose key signed it among several', async () => {
    const other = { id: 4, config: {}, secrets: { signingKey: 'key-another-account' } };
    const result = await mailgunWebhook.authenticate(fixtureRequest('opened'), [other, source], testContext({ now: () => signedAt('opened') }));
    expect(result).toMatchObject({ ok: true, source: { id: 3 } });
  });
});

describeWithFixtures('mailgun webhook events', () => {
  const failed = () => readFixtureJson('webhooks/mailgun-failed-permanent.json')['event-data'];

  it('matches our message through the user variable the driver sets', () => {
    const [event] = parseData({ ...failed(), 'user-variables': { [MAILGUN_MESSAGE_VARIABLE]: '41' } });
    expect(event).toMatchObject({ messageId: 41, providerMessageId: '20130503192659.13651.20287@app.symfony.com' });
    expect(parseData({ ...failed(), 'user-variables': { [MAILGUN_MESSAGE_VARIABLE]: 'x41' } })[0]?.messageId).toBeUndefined();
  });

  it('classifies failures by severity, reason and status', () => {
    const status = (enhanced: string) => ({ 'delivery-status': { code: 550, 'enhanced-code': enhanced, message: 'refused' } });
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ severity: 'temporary', reason: 'generic' }, { type: 'deferred' }],
      [{ reason: 'old' }, { type: 'bounce', bounceClass: 'soft' }],
      [{ reason: 'suppress-unsubscribe' }, { type: 'dropped' }],
      [{ reason: 'suppress-complaint' }, { type: 'dropped' }],
      [{ reason: 'bounce', ...status('5.1.1') }, { type: 'bounce', bounceClass: 'hard', status: '5.1.1' }],
      [{ reason: 'bounce', ...status('5.2.2') }, { type: 'bounce', bounceClass: 'soft' }],
      [{ reason: 'bounce', ...status('5.7.1') }, { type: 'bounce', bounceClass: 'soft' }],
      [{ reason: 'bounce', 'delivery-status': { code: 550, message: '550 5.1.10 RecipientNotFound' } }, { type: 'bounce', bounceClass: 'hard', status: '5.1.10' }],
    ];
    for (const [over, expected] of cases) {
      expect(parseData({ ...failed(), ...over })[0], JSON.stringify(over)).toMatchObject(expected);
    }
    // Dropped for an unsubscribe or a complaint: no bounce, so no bounce class.
    expect(parseData({ ...failed(), reason: 'suppress-complaint' })[0]?.bounceClass).toBeUndefined();
  });

  it('ignores events that say nothing about delivery, and refuses an event it cannot key', () => {
    expect(parseData({ ...failed(), event: 'stored' })).toEqual([]);
    expect(parseData({ ...failed(), event: 'rejected' })).toEqual([expect.objectContaining({ type: 'dropped' })]);
    expect(() => parseData({ ...failed(), id: '' })).toThrow(WebhookPayloadError);
    expect(() => parseData({ ...failed(), timestamp: 'yesterday' })).toThrow(/epoch seconds/);
  });
});

describe('mailgun webhook settings', () => {
  it('asks for the signing key by its name in Mailgun', () => {
    expect(mailgunWebhook.settings.secrets.safeParse({}).error?.issues[0]?.message).toMatch(/HTTP webhook signing key/);
    expect(mailgunWebhook.settings.secrets.parse({ signingKey: ' key-1 ' })).toEqual({ signingKey: 'key-1' });
  });
});
