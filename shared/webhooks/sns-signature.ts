// Amazon SNS messages as they reach an HTTPS subscription: the envelope, its string to sign,
// and the RSA signature check (SignatureVersion 1: SHA1, 2: SHA256; AWS's "Verifying the
// signatures of Amazon SNS messages"). The signing certificate is fetched only from the SNS
// host of the topic's own region, the rule AWS's Java SDK applies (SnsHostProvider), so a
// message can never point us at a certificate of its choosing. China hosts
// (`sns.<region>.amazonaws.com.cn`) are refused: SES, the only publisher Edgepost reads, is
// not offered in the China regions.
//
// The public key is read with a short DER walk (an X.509 certificate's SubjectPublicKeyInfo
// is the sixth field of tbsCertificate after the optional version): @peculiar/x509 and
// pkijs bring asn1js and more, hundreds of kB in the Worker, for this one field.
// Validity dates are not checked: a certificate is trusted because it came over https from
// AWS's own host, and a replayed genuine message is harmless (events are recorded once).
import { WebhookPayloadError, type WebhookContext } from './relay-webhook';

export const snsMessageTypes = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof snsMessageTypes)[number];

/** An SNS HTTP(S) delivery, fields as SNS names them; Subject only on some notifications, Token and SubscribeURL only on (un)subscribe confirmations. */
export interface SnsEnvelope {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  SignatureVersion?: string;
  Signature?: string;
  SigningCertURL?: string;
}

export type SnsVerdict = { ok: true } | { ok: false; reason: string };

/** The fields covered by the signature, in the order AWS concatenates them. UnsubscribeURL is not among them. */
const SIGNED_FIELDS: Record<SnsMessageType, readonly (keyof SnsEnvelope)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** The digest each SignatureVersion signs with. */
const HASH_OF_VERSION = new Map<string | undefined, 'SHA-1' | 'SHA-256'>([
  ['1', 'SHA-1'],
  ['2', 'SHA-256'],
]);
/** `arn:<partition>:sns:<region>:<account>:<topic>`, in the partitions where SES runs (commercial and GovCloud). */
const TOPIC_ARN = /^arn:aws(?:-us-gov)?:sns:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const CERT_FETCH_TIMEOUT_MS = 5_000;
/** SNS certificates are about 2 kB; anything far larger is not one. */
const MAX_CERT_CHARS = 32_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the body SNS POSTed; throws WebhookPayloadError saying what is missing. */
export function parseSnsEnvelope(body: Uint8Array): SnsEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    throw new WebhookPayloadError('The body is not JSON: Amazon SNS posts a JSON message (check that raw message delivery is off for this subscription).');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WebhookPayloadError('The body is not an SNS message (a JSON object).');
  const fields = value as Record<string, unknown>;
  if (!(snsMessageTypes as readonly unknown[]).includes(fields.Type)) throw new WebhookPayloadError(`Type must be one of ${snsMessageTypes.join(', ')}.`);
  const type = fields.Type as SnsMessageType;
  const required = type === 'Notification' ? ['MessageId', 'TopicArn', 'Message', 'Timestamp'] : ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'Token', 'SubscribeURL'];
  const missing = required.filter((name) => typeof fields[name] !== 'string');
  if (missing.length > 0) throw new WebhookPayloadError(`The SNS ${type} lacks ${missing.join(', ')} (each a string).`);
  const envelope: Record<string, unknown> = { Type: type };
  for (const name of [...required, 'Subject', 'SignatureVersion', 'Signature', 'SigningCertURL']) {
    // A null Subject (some SNS deliveries send one) counts as absent, as AWS's SDKs read it.
    if (fields[name] === undefined || fields[name] === null) continue;
    if (typeof fields[name] !== 'string') throw new WebhookPayloadError(`${name} must be a string.`);
    envelope[name] = fields[name];
  }
  return envelope as unknown as SnsEnvelope;
}

/** The exact text SNS signed: `Name\nvalue\n` for each signed field present, in AWS's order. */
export function snsStringToSign(envelope: SnsEnvelope): string {
  return SIGNED_FIELDS[envelope.Type].filter((name) => envelope[name] !== undefined).map((name) => `${name}\n${envelope[name]}\n`).join('');
}

/** The region of an SNS topic ARN, or null when the text is not one Edgepost accepts. */
export function snsTopicRegion(topicArn: string): string | null {
  return TOPIC_ARN.exec(topicArn)?.[1] ?? null;
}

/**
 * The URL when it is https on exactly `sns.<region>.amazonaws.com` (default port, no
 * credentials, no fragment), else null. The raw prefix is checked too, so no spelling that
 * URL parsing would normalise (backslashes, case, userinfo) can reach another host.
 */
export function snsHostUrl(text: string, region: string): URL | null {
  const host = `sns.${region}.amazonaws.com`;
  if (!text.startsWith(`https://${host}/`)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  return url.protocol === 'https:' && url.hostname === host && url.port === '' && !url.username && !url.password && !url.hash ? url : null;
}

/**
 * Checks the envelope's signature against the certificate at SigningCertURL (fetched through
 * `context.fetch`, cached in `context.keyCache`). Never throws: any failure is a reason.
 */
export async function verifySnsSignature(envelope: SnsEnvelope, context: Pick<WebhookContext, 'fetch' | 'keyCache'>): Promise<SnsVerdict> {
  const hash = HASH_OF_VERSION.get(envelope.SignatureVersion);
  if (!hash) return { ok: false, reason: `SignatureVersion ${JSON.stringify(envelope.SignatureVersion)} is not 1 or 2` };
  const signature = decodeBase64(envelope.Signature ?? '');
  if (!signature || signature.length === 0) return { ok: false, reason: 'Signature is missing or not canonical base64' };
  const region = snsTopicRegion(envelope.TopicArn);
  if (!region) return { ok: false, reason: `TopicArn ${JSON.stringify(envelope.TopicArn)} is not an SNS topic ARN` };
  const certUrl = snsHostUrl(envelope.SigningCertURL ?? '', region);
  if (!certUrl || !certUrl.pathname.endsWith('.pem') || certUrl.search) {
    return { ok: false, reason: `SigningCertURL ${JSON.stringify(envelope.SigningCertURL)} is not a .pem on https://sns.${region}.amazonaws.com` };
  }
  try {
    const key = await signingKey(certUrl.href, hash, context);
    const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, new TextEncoder().encode(snsStringToSign(envelope)));
    return valid ? { ok: true } : { ok: false, reason: 'the SNS signature does not match the message' };
  } catch (err) {
    return { ok: false, reason: `the SNS signing certificate could not be used: ${(err as Error).message}` };
  }
}

/** The certificate's key for one hash (WebCrypto binds RSA keys to a hash), cached; a failed load is forgotten so the next message retries. */
function signingKey(url: string, hash: 'SHA-1' | 'SHA-256', context: Pick<WebhookContext, 'fetch' | 'keyCache'>): Promise<CryptoKey> {
  const cacheKey = `sns ${hash} ${url}`;
  const cached = context.keyCache.get(cacheKey);
  if (cached) return cached;
  const loading = loadSigningKey(url, hash, context.fetch);
  context.keyCache.set(cacheKey, loading);
  loading.catch(() => {
    if (context.keyCache.get(cacheKey) === loading) context.keyCache.delete(cacheKey);
  });
  return loading;
}

async function loadSigningKey(url: string, hash: 'SHA-1' | 'SHA-256', doFetch: typeof fetch): Promise<CryptoKey> {
  // `manual`: a redirect answers 3xx and is refused below, so it cannot lead off the SNS host.
  const response = await doFetch(url, { redirect: 'manual', signal: AbortSignal.timeout(CERT_FETCH_TIMEOUT_MS) });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${url} answered ${response.status}`);
  }
  const pem = await response.text();
  if (pem.length > MAX_CERT_CHARS) throw new Error(`${url} is not a certificate (${pem.length} characters)`);
  const der = pemCertificate(pem);
  if (!der) throw new Error(`${url} holds no PEM certificate`);
  return crypto.subtle.importKey('spki', subjectPublicKeyInfo(der), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
}

/** The DER bytes of the first certificate in a PEM text, or null. */
function pemCertificate(pem: string): Uint8Array<ArrayBuffer> | null {
  const body = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem)?.[1];
  return body ? decodeBase64(body.replace(/\s+/g, '')) : null;
}

/** Standard base64 (with padding), only in its canonical spelling, so one signature has one text; null otherwise. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const binary = atob(text);
  if (btoa(binary) !== text) return null;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  content: number;
  /** Offset just past the content. */
  end: number;
}

/** One DER tag-length-value at `at`, within `limit`; throws on anything malformed. */
function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error('the certificate is truncated');
  const tag = der[at]!;
  let length = der[at + 1]!;
  let content = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || content + count > limit) throw new Error('the certificate has a bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[content++]!;
  }
  if (content + length > limit) throw new Error('the certificate is truncated');
  return { tag, start: at, content, end: content + length };
}

const SEQUENCE = 0x30;
const VERSION = 0xa0;

/** The SubjectPublicKeyInfo (RFC 5280 §4.1) of a DER X.509 certificate, as WebCrypto's `spki` import wants it. */
export function subjectPublicKeyInfo(der: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const certificate = readTlv(der, 0, der.length);
  if (certificate.tag !== SEQUENCE) throw new Error('the certificate is not a DER SEQUENCE');
  const tbs = readTlv(der, certificate.content, certificate.end);
  if (tbs.tag !== SEQUENCE) throw new Error('the certificate has no tbsCertificate');
  const fields: Tlv[] = [];
  // Version?, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo: seven at most.
  for (let at = tbs.content; at < tbs.end && fields.length < 7; ) {
    const field = readTlv(der, at, tbs.end);
    fields.push(field);
    at = field.end;
  }
  const spki = fields[fields[0]?.tag === VERSION ? 6 : 5];
  if (!spki || spki.tag !== SEQUENCE) throw new Error('the certificate has no SubjectPublicKeyInfo');
  return der.slice(spki.start, spki.end);
}
