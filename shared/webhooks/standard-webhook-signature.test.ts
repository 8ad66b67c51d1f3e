import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeWithFixtures, readFixtureJson } from '../../test/helpers/fixtures';
import {
  generateWebhookSecret,
  parseSigningSecrets,
  rotateSigningSecrets,
  secretsInUse,
  signWebhook,
  standardWebhookHeaders,
  webhookSecretKey,
} from './standard-webhook-signature';

interface Vector {
  secret: string;
  msg_id: string;
  timestamp: string;
  raw_body: string;
  expected_signature_header: string;
}

describeWithFixtures('Standard Webhooks signature against the published vector', () => {
  const vector = readFixtureJson<Vector>('vectors/standard-webhooks-svix-vector.json');

  it('signs the vector exactly as the reference library does', async () => {
    const signature = await signWebhook(vector.secret, vector.msg_id, Number(vector.timestamp), vector.raw_body);
    expect(signature).toBe(vector.expected_signature_header);
  });

  it('changes the signature when any signed part changes by one byte', async () => {
    const ts = Number(vector.timestamp);
    const variants = [
      signWebhook(vector.secret, `${vector.msg_id}x`, ts, vector.raw_body),
      signWebhook(vector.secret, vector.msg_id, ts + 1, vector.raw_body),
      signWebhook(vector.secret, vector.msg_id, ts, vector.raw_body.replace('2432', '2433')),
    ];
    for (const signature of await Promise.all(variants)) expect(signature).not.toBe(vector.expected_signature_header);
  });
});

describe('standard webhook headers', () => {
  it('generates whsec_ secrets of 32 random bytes, different each time', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(a)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('refuses a secret that is not whsec_ and base64', () => {
    expect(() => webhookSecretKey('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whsec_/);
    expect(() => webhookSecretKey('whsec_not base64!')).toThrow(/base64/);
  });

  it('signs with every secret given, current first, and each verifies with plain HMAC', async () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"type":"ping","timestamp":"2026-01-01T00:00:00.000Z","data":{"endpointId":1}}';
    const headers = await standardWebhookHeaders([current, previous], 'msg_7', 1767225600, body);
    expect(headers['webhook-id']).toBe('msg_7');
    expect(headers['webhook-timestamp']).toBe('1767225600');
    const signatures = headers['webhook-signature'].split(' ');
    const expected = [current, previous].map(
      (s) => `v1,${createHmac('sha256', webhookSecretKey(s)).update(`msg_7.1767225600.${body}`).digest('base64')}`,
    );
    expect(signatures).toEqual(expected);
    await expect(standardWebhookHeaders([], 'msg_7', 1, body)).rejects.toThrow(/at least one/);
  });
});

describe('signing secrets across a rotation', () => {
  const now = 1_767_225_600_000;

  it('signs with the previous secret too until its grace period ends', () => {
    const before = { current: generateWebhookSecret() };
    const after = rotateSigningSecrets(before, 3_600_000, now);
    expect(after.current).not.toBe(before.current);
    expect(secretsInUse(after, now)).toEqual([after.current, before.current]);
    expect(secretsInUse(after, now + 3_600_000)).toEqual([after.current]);
    const atOnce = rotateSigningSecrets(before, 0, now);
    expect(Object.keys(atOnce)).toEqual(['current']);
    expect(secretsInUse(atOnce, now)).toEqual([atOnce.current]);
  });

  it('reads back what was sealed, and refuses anything else', () => {
    expect(parseSigningSecrets({ current: 'whsec_a', previous: 'whsec_b', previousUntil: 5 })).toEqual({ current: 'whsec_a', previous: 'whsec_b', previousUntil: 5 });
    expect(parseSigningSecrets({ current: 'whsec_a', previous: 'whsec_b' })).toEqual({ current: 'whsec_a' });
    expect(() => parseSigningSecrets({ user: 'x' })).toThrow(/no current secret/);
  });
});
