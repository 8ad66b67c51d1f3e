// SNS signature verification against AWS's own signed messages (fixtures' SOURCES.md §2):
// certificates are served from `vectors/certs/` by a fetch that knows only those files, so
// no test touches the network, and expiry is never compared with the real clock.
import { describe, expect, it } from 'vitest';
import { describeWithFixtures, readFixture } from '../../test/helpers/fixtures';
import { WebhookPayloadError } from './relay-webhook';
import { parseSnsEnvelope, snsHostUrl, snsStringToSign, snsTopicRegion, subjectPublicKeyInfo, verifySnsSignature, type SnsEnvelope } from './sns-signature';

const vectors = [
  'vectors/sns-notification-sv1-nosubject.json',
  'vectors/sns-notification-sv1-subject.json',
  'vectors/sns-notification-sv2.json',
  'vectors/sns-php-fixture-1-SV1.json',
  'vectors/sns-php-fixture-2-SV2.json',
  'vectors/sns-php-fixture-3-SV1-subject.json',
  'vectors/sns-php-fixture-4-SV2-subject.json',
  'webhooks/sns-subscriptionconfirmation.json',
  'webhooks/sns-subscriptionconfirmation-relay.json',
];

/** A fetch that serves the fixture certificates by file name (404 for any other) and records what was asked. */
function certificateFetch() {
  const urls: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const url = String(input);
    urls.push(url);
    const name = url.split('/').pop()!;
    if (!/^SimpleNotificationService-[0-9a-f]+\.pem$/.test(name)) return new Response('not found', { status: 404 });
    try {
      return new Response(new Uint8Array(readFixture(`vectors/certs/${name}`)));
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
  return { fetch: fetch as typeof globalThis.fetch, urls, keyCache: new Map<string, Promise<CryptoKey>>() };
}

function envelopeOf(file: string): SnsEnvelope {
  return parseSnsEnvelope(new Uint8Array(readFixture(file)));
}

/** Verifies a body as the webhook would: unreadable bodies count as refused. */
async function verifiesBody(body: Uint8Array, context = certificateFetch()): Promise<boolean> {
  try {
    return (await verifySnsSignature(parseSnsEnvelope(body), context)).ok;
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookPayloadError);
    return false;
  }
}

describeWithFixtures('SNS signature', () => {
  for (const file of vectors) {
    it(`verifies AWS's signed message ${file}`, async () => {
      expect(await verifySnsSignature(envelopeOf(file), certificateFetch())).toEqual({ ok: true });
    });
  }

  it('refuses the message whose content Mozilla edited after SNS signed it', async () => {
    const verdict = await verifySnsSignature(envelopeOf('webhooks/sns-notification-ses-bounce-edited-badsig.json'), certificateFetch());
    expect(verdict).toEqual({ ok: false, reason: 'the SNS signature does not match the message' });
  });

  it('builds the string to sign from the signed fields only, Subject only when present', () => {
    const withSubject = envelopeOf('vectors/sns-notification-sv1-subject.json');
    expect(snsStringToSign(withSubject)).toBe(
      'Message\nHello! This message has a subject.\nMessageId\n26858270-545e-5848-82a2-e05566af3dcf\nSubject\nMy message subject\n' +
        'Timestamp\n2026-03-06T19:53:21.424Z\nTopicArn\narn:aws:sns:us-west-2:131990247566:dongie-standard-topic\nType\nNotification\n',
    );
    expect(snsStringToSign(envelopeOf('vectors/sns-notification-sv1-nosubject.json'))).not.toContain('Subject');
    const c = envelopeOf('webhooks/sns-subscriptionconfirmation.json');
    expect(snsStringToSign(c)).toBe(
      `Message\n${c.Message}\nMessageId\n${c.MessageId}\nSubscribeURL\n${c.SubscribeURL}\nTimestamp\n${c.Timestamp}\nToken\n${c.Token}\nTopicArn\n${c.TopicArn}\nType\nSubscriptionConfirmation\n`,
    );
  });

  // SNS does not sign UnsubscribeURL (AWS's list of signed fields), so a notification's
  // "every byte" is every byte but that member's; the webhook never reads it.
  for (const file of ['vectors/sns-notification-sv1-subject.json', 'vectors/sns-notification-sv2.json']) {
    it(`refuses every single-byte change outside the unsigned UnsubscribeURL: ${file}`, async () => {
      const genuine = new Uint8Array(readFixture(file));
      const text = new TextDecoder().decode(genuine);
      const unsignedStart = text.indexOf('"UnsubscribeURL"');
      const unsignedEnd = text.indexOf('"', text.indexOf('"https://', unsignedStart) + 1) + 1;
      expect(unsignedStart).toBeGreaterThan(0);
      const context = certificateFetch();
      const accepted: number[] = [];
      for (let position = 0; position < genuine.length; position++) {
        if (position >= unsignedStart && position < unsignedEnd) continue;
        const body = genuine.slice();
        body[position] = body[position]! ^ 0x01;
        if (await verifiesBody(body, context)) accepted.push(position);
      }
      expect(accepted).toEqual([]);
    });
  }

  it('refuses a certificate URL anywhere but the topic region\'s SNS host, without fetching it', async () => {
    const genuine = envelopeOf('vectors/sns-notification-sv2.json');
    const name = 'SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem';
    for (const url of [
      `https://sns.us-east-1.amazonaws.com/${name}`, // another region than the topic's
      `http://sns.us-west-2.amazonaws.com/${name}`,
      `https://sns.us-west-2.amazonaws.com.cn/${name}`,
      `https://sns.us-west-2.amazonaws.com.evil.example/${name}`,
      `https://sns.us-west-2.amazonaws.com@evil.example/${name}`,
      `https://sns.us-west-2.amazonaws.com:8443/${name}`,
      `https://SNS.us-west-2.amazonaws.com/${name}`,
      `https://sns.us-west-2.amazonaws.com/${name}?x=1`,
      `https://sns.us-west-2.amazonaws.com/${name}#x`,
      'https://sns.us-west-2.amazonaws.com/certificate.txt',
      `https://s3.amazonaws.com/${name}`,
    ]) {
      const context = certificateFetch();
      const verdict = await verifySnsSignature({ ...genuine, SigningCertURL: url }, context);
      expect(verdict.ok, url).toBe(false);
      expect(context.urls, url).toEqual([]);
    }
  });

  it('refuses unknown signature versions and non-canonical or missing signatures', async () => {
    const genuine = envelopeOf('vectors/sns-notification-sv2.json');
    const cases: Partial<SnsEnvelope>[] = [
      { SignatureVersion: '3' },
      { SignatureVersion: 'constructor' },
      { SignatureVersion: undefined },
      { SignatureVersion: '1' }, // an SV2 signature checked as SV1
      { Signature: undefined },
      { Signature: '' },
      { Signature: `${genuine.Signature!.slice(0, -4)}fh==` }, // same bytes as "fg==" to a lenient decoder
      { Signature: genuine.Signature!.replace(/=+$/, '') },
      { Signature: genuine.Signature!.replace(/\+/g, '-').replace(/\//g, '_') },
      { TopicArn: 'arn:aws-cn:sns:cn-north-1:131990247566:dongie-standard-topic' },
    ];
    for (const change of cases) {
      expect((await verifySnsSignature({ ...genuine, ...change }, certificateFetch())).ok, JSON.stringify(change)).toBe(false);
    }
  });

  it('fetches a certificate once per URL and hash, and does not keep a failed fetch', async () => {
    const context = certificateFetch();
    const realFetch = context.fetch;
    let failNext = true;
    context.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (failNext) {
        failNext = false;
        context.urls.push(String(input));
        return new Response('busy', { status: 503 });
      }
      return realFetch(input, init);
    }) as typeof fetch;
    const sv1 = envelopeOf('vectors/sns-php-fixture-1-SV1.json');
    expect(await verifySnsSignature(sv1, context)).toMatchObject({ ok: false, reason: expect.stringContaining('answered 503') });
    expect(await verifySnsSignature(sv1, context)).toEqual({ ok: true });
    expect(await verifySnsSignature(envelopeOf('vectors/sns-php-fixture-3-SV1-subject.json'), context)).toEqual({ ok: true });
    expect(context.urls).toHaveLength(2);
    // SV2 needs the same certificate bound to SHA-256: one more fetch, then cached too.
    expect(await verifySnsSignature(envelopeOf('vectors/sns-php-fixture-2-SV2.json'), context)).toEqual({ ok: true });
    expect(await verifySnsSignature(envelopeOf('vectors/sns-php-fixture-4-SV2-subject.json'), context)).toEqual({ ok: true });
    expect(context.urls).toHaveLength(3);
  });

  it('answers a certificate host that serves garbage, redirects or hangs up with a reason, never a throw', async () => {
    const genuine = envelopeOf('vectors/sns-notification-sv2.json');
    const answers: (() => Promise<Response>)[] = [
      async () => new Response('hello'),
      async () => new Response('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'),
      async () => new Response(`-----BEGIN CERTIFICATE-----\n${btoa('\u0030\u0082\u00ff\u00ff')}\n-----END CERTIFICATE-----`),
      async () => new Response('x'.repeat(100_000)),
      async () => new Response(null, { status: 302, headers: { location: 'https://evil.example/cert.pem' } }),
      async () => {
        throw new TypeError('fetch failed');
      },
    ];
    for (const answer of answers) {
      const verdict = await verifySnsSignature(genuine, { fetch: answer as typeof fetch, keyCache: new Map() });
      expect(verdict).toMatchObject({ ok: false, reason: expect.stringContaining('could not be used') });
    }
  });

  it('finds the public key of a certificate and refuses truncated DER', () => {
    const pem = readFixture('vectors/certs/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem').toString('utf8');
    const der = Uint8Array.from(atob(pem.replace(/-----[A-Z ]+-----|\s/g, '')), (c) => c.charCodeAt(0));
    const spki = subjectPublicKeyInfo(der);
    // SEQUENCE { SEQUENCE { rsaEncryption OID 1.2.840.113549.1.1.1 ...
    expect(Array.from(spki.subarray(4, 17))).toEqual([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
    for (const length of [0, 1, 4, 100, der.length - 1]) expect(() => subjectPublicKeyInfo(der.slice(0, length)), String(length)).toThrow();
  });
});

describe('SNS envelope', () => {
  it('reads what SNS sends and says what is missing', () => {
    const bad = ['', 'null', '[]', '{"Type":"Notification"}', '{"Type":"Other","MessageId":"1"}', '{"Type":"SubscriptionConfirmation","MessageId":"1","TopicArn":"t","Message":"m","Timestamp":"t"}'];
    for (const text of bad) expect(() => parseSnsEnvelope(new TextEncoder().encode(text)), text).toThrow(WebhookPayloadError);
    expect(() => parseSnsEnvelope(new TextEncoder().encode('{"Type":"Notification","MessageId":"1","TopicArn":"t","Message":"m","Timestamp":"t","Subject":5}'))).toThrow('Subject must be a string');
    const withNullSubject = parseSnsEnvelope(new TextEncoder().encode('{"Type":"Notification","MessageId":"1","TopicArn":"t","Message":"m","Timestamp":"t","Subject":null}'));
    expect(withNullSubject.Subject).toBeUndefined();
  });

  it('reads the region of commercial and GovCloud topic ARNs only', () => {
    expect(snsTopicRegion('arn:aws:sns:eu-west-1:123456789012:ses-events')).toBe('eu-west-1');
    expect(snsTopicRegion('arn:aws-us-gov:sns:us-gov-west-1:123456789012:ses')).toBe('us-gov-west-1');
    for (const arn of ['arn:aws-cn:sns:cn-north-1:123456789012:ses', 'arn:aws:sqs:eu-west-1:123456789012:ses', 'arn:aws:sns:eu-west-1:1234:ses', 'arn:aws:sns:eu-west-1:123456789012:', 'arn:aws:sns:eu-west-1:123456789012:a/b']) {
      expect(snsTopicRegion(arn), arn).toBeNull();
    }
  });

  it('accepts exactly the SNS host of the region', () => {
    expect(snsHostUrl('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription', 'eu-west-1')?.hostname).toBe('sns.eu-west-1.amazonaws.com');
    expect(snsHostUrl('https://sns.eu-west-1.amazonaws.com\\@evil.example/', 'eu-west-1')).toBeNull();
    expect(snsHostUrl('https://sns.eu-west-1.amazonaws.com', 'eu-west-1')).toBeNull();
  });

});
