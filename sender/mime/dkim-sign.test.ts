// The signer checked by someone else's verifier (mailauth, see dkim-test-verify.ts), on
// messages buildMime makes, for both key types.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../drivers/driver';
import { formatMailbox } from '../../shared/render/email-address';
import { createMimeBuilder } from './build-mime';
import { relaxedBody } from './dkim-canonicalize';
import { createByteOutput } from './byte-output';
import { createDkimSigner } from './dkim-sign';
import { parseDkimPrivateKey } from './dkim-key';
import { dkimTxtRecord, verifyDkim } from '../../test/helpers/dkim-verify';
import { seededRandom } from '../../test/helpers/seeded-random';
import mjml2html from 'mjml';
import { simpleParser } from 'mailparser';
import { deriveKeys } from '../../shared/keys';
import { compileCampaign } from '../../shared/render/compile-campaign';
import { renderMessage } from '../../shared/render/render-message';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');

function outgoing(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    messageId: 7,
    from: formatMailbox('Shöp "News", Paris', 'news@shop.example'),
    to: formatMailbox('山田 太郎 😀', 'taro@example.jp'),
    subject: `Grüße ${'a rather long subject that has to be folded '.repeat(6)}🌷`,
    text: `Hello  there\t \n.\nline with trailing space   \n${'x'.repeat(3000)}\n\n\n`,
    html: `<p>Grüße = 日本語</p>\n${'<td>cell</td>  '.repeat(2000)}`,
    envelopeFrom: 'bounces+7-0123456789ab@shop.example',
    messageIdHeader: '<7.3.k1@shop.example>',
    headers: {
      'List-Unsubscribe': `<https://t.shop.example/u/${'tok'.repeat(40)}>, <mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20tok>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...overrides,
  };
}

/** A campaign whose static text and merged values hold the whitespace, dots and "From " that encoders must mind. */
const RENDERED_MJML = `<mjml><mj-body><mj-section><mj-column>
<mj-text><p>Hello {{ subscriber.name }}   and\t welcome, from{{ subscriber.attributes.city }}.</p>
<pre>  keep   these
.   and From here   </pre>
{% for n in (1..3) %}<a href="https://shop.example/p/{{ n }}?u={{ subscriber.id }}">Item {{ n }}</a> {% endfor %}
<p>Grüße = 日本語</p></mj-text>
<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

const keys = [
  { name: 'RSA 2048', privateKey: rsa.privateKey, publicKey: rsa.publicKey, algorithm: 'rsa-sha256' },
  { name: 'Ed25519', privateKey: ed.privateKey, publicKey: ed.publicKey, algorithm: 'ed25519-sha256' },
];

describe.each(keys)('DKIM signing with $name', ({ privateKey, publicKey, algorithm }) => {
  const records = { 'ep1._domainkey.shop.example': dkimTxtRecord(publicKey) };
  const signer = createDkimSigner({ domainName: 'shop.example', keySelector: 'ep1', privateKey, now: () => Date.UTC(2026, 10, 28) });
  const buildMime = createMimeBuilder();
  const signed = (message: OutgoingMessage) => {
    const { raw, bodyStart } = buildMime(message);
    return signer.sign({ raw, bodyStart });
  };

  it('signs a multipart message with non-ASCII and long folded headers that mailauth verifies', async () => {
    const { raw, bodyStart } = buildMime(outgoing());
    const message = await signer.sign({ raw, bodyStart });
    const [result, ...others] = await verifyDkim(message, records);
    expect(others).toEqual([]);
    expect(result).toMatchObject({ signingDomain: 'shop.example', selector: 'ep1', algo: algorithm, format: 'relaxed/relaxed', status: { result: 'pass' } });
    expect(signer.algorithm).toBe(algorithm);
    // The field sits in front, and the message after it is byte for byte what was built.
    const text = message.toString('latin1');
    expect(text.startsWith('DKIM-Signature: v=1; ')).toBe(true);
    expect(message.subarray(message.length - raw.length).equals(raw)).toBe(true);
    expect(text.slice(0, text.indexOf('\r\nFrom: ')).split('\r\n').every((line) => line.length <= 78)).toBe(true);
  });

  it('signs List-Unsubscribe-Post, the headers that matter, and From once more than it appears', async () => {
    const message = (await signed(outgoing())).toString('latin1');
    const field = message.slice(0, message.indexOf('\r\n', message.indexOf(' b=')));
    const h = /h=([^;]+);/.exec(field.replace(/\r\n\s+/g, ''))![1]!.split(':');
    expect(h).toEqual(['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'mime-version', 'content-type', 'from']);
    expect(field).toMatch(/ t=1795824000;/);
    expect(field).not.toMatch(/ l=/);
  });

  it('copies the message behind its field when the frame has too little room or is not the message\'s own', async () => {
    const { raw, bodyStart } = buildMime(outgoing());
    const small = Buffer.alloc(10 + raw.length);
    const inSmall = small.subarray(10);
    raw.copy(inSmall);
    const copied = await signer.sign({ raw: inSmall, bodyStart, frame: small });
    expect(copied.buffer).not.toBe(small.buffer);
    expect(small.subarray(0, 10).every((b) => b === 0)).toBe(true);
    expect((await verifyDkim(copied, records))[0]?.status.result).toBe('pass');

    const stranger = Buffer.alloc(4096);
    const notItsOwn = await signer.sign({ raw, bodyStart, frame: stranger });
    expect(stranger.every((b) => b === 0)).toBe(true);
    expect(notItsOwn.equals(copied)).toBe(true);
  });

  it('signs raw UTF-8 header bytes (RFC 6532) and odd whitespace as they are', async () => {
    const head = 'From: Zoë <zoë@shop.example>\r\nTo:   山田\t <taro@example.jp>  \r\nSubject: Grüße\r\n  und\t mehr 🌷\r\nMIME-Version: 1.0\r\n\r\n';
    const raw = Buffer.from(`${head}Hallo  Welt \r\n\r\n`);
    const message = await signer.sign({ raw, bodyStart: Buffer.byteLength(head) });
    expect((await verifyDkim(message, records))[0]?.status.result).toBe('pass');
    expect((await verifyDkim(Buffer.from(message.toString().replace('Grüße', 'Grüsse')), records))[0]?.status.result).toBe('fail');
  });

  it('signs a text-only message, and one whose body is empty', async () => {
    const plain = await signed(outgoing({ html: null, text: 'Only text.\nNo newline at the end' }));
    expect((await verifyDkim(plain, records))[0]?.status.result).toBe('pass');
    const empty = await signed(outgoing({ html: null, text: '' }));
    expect((await verifyDkim(empty, records))[0]?.status.result).toBe('pass');
  });

  it('fails verification after a one-byte change to the body or to a signed header', async () => {
    const message = await signed(outgoing());
    const bodyStart = message.indexOf('\r\n\r\n') + 4;
    const body = Buffer.from(message);
    body[bodyStart + 200] = body[bodyStart + 200] === 0x41 ? 0x42 : 0x41;
    // mailauth words a body-hash mismatch as "neutral" with this comment; either way, not a pass.
    expect((await verifyDkim(body, records))[0]?.status).toMatchObject({ result: 'neutral', comment: 'body hash did not verify' });

    const subject = Buffer.from(message);
    const at = subject.indexOf('\r\nSubject: ') + 'Subject: '.length + 4;
    subject[at] = subject[at] === 0x41 ? 0x42 : 0x41;
    expect((await verifyDkim(subject, records))[0]?.status.result).toBe('fail');

    const unsubscribePost = Buffer.from(message.toString('latin1').replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=One-Clicc'), 'latin1');
    expect((await verifyDkim(unsubscribePost, records))[0]?.status.result).toBe('fail');
  });

  it('fails verification when a second From is added in transit', async () => {
    const message = (await signed(outgoing())).toString('latin1');
    const forged = message.replace('\r\nFrom: ', '\r\nFrom: "Bank" <alerts@bank.example>\r\nFrom: ');
    expect((await verifyDkim(Buffer.from(forged, 'latin1'), records))[0]?.status.result).toBe('fail');
  });

  it('signs rendered campaigns built from their pieces with the builder\'s body hash, the hash the signer computes itself', async () => {
    const campaign = await compileCampaign({ id: 3, name: 'Spring', subject: 'Hi {{ subscriber.name }}', fromAddress: 'Shop <news@shop.example>', format: 'mjml', body: RENDERED_MJML }, mjml2html);
    const renderKeys = await deriveKeys('dkim-sign-test-secret-0123456789abcdef');
    const hashing = createMimeBuilder({ relaxedBodyHash: true, now: () => new Date(Date.UTC(2026, 10, 28)), randomToken: () => 'b' });
    // The last name outweighs the campaign's Latin text: that message's parts go as base64.
    const names = ['Ann', 'Zoë  Müller\t ', '山田 太郎', ' .lead', 'From here\n.', 'x'.repeat(120), '山田 太郎 '.repeat(2000)];
    const encodings: string[] = [];
    for (const [i, name] of names.entries()) {
      const message = renderMessage(campaign, { messageId: i + 1, subscriber: { id: i + 1, email: `r${i}@example.com`, name, attributes: { city: ' Lyon ' } } }, { publicUrl: 'https://t.shop.example', keys: renderKeys });
      expect(message.bodyPieces?.html?.pieces.length).toBeGreaterThan(5);
      const built = hashing(message);
      const fromPieces = await signer.sign(built);
      // Its field written in the room in front of the message, not in a copy of it.
      expect(fromPieces.buffer, name).toBe(built.raw.buffer);
      // The same bytes hashed by the signer from scratch: the same signature, to the byte.
      expect(fromPieces.equals(await signer.sign({ raw: built.raw, bodyStart: built.bodyStart })), name).toBe(true);
      expect((await verifyDkim(fromPieces, records))[0]?.status.result, name).toBe('pass');
      const mail = await simpleParser(fromPieces);
      expect(mail.html).toBe(message.html);
      expect(mail.text).toBe(message.text.replace(/\r\n/g, '\n'));
      // The whole-text encoder gives other quoted-printable lines (no soft break before each
      // static piece), the same text; base64 is the same either way.
      const base64 = built.raw.toString('latin1').includes('Content-Transfer-Encoding: base64');
      encodings.push(base64 ? 'base64' : 'quoted-printable');
      const whole = hashing({ ...message, bodyPieces: undefined });
      expect(whole.raw.equals(built.raw)).toBe(base64);
      expect((await simpleParser(whole.raw)).html).toBe(message.html);
    }
    expect(encodings).toEqual([...Array(names.length - 1).fill('quoted-printable'), 'base64']);
  });

  it('still verifies after a relay rewraps whitespace (what relaxed canonicalisation is for)', async () => {
    const message = (await signed(outgoing())).toString('latin1').replace('\r\nMIME-Version: 1.0', '\r\nMIME-Version:   1.0  ');
    expect((await verifyDkim(Buffer.from(message, 'latin1'), records))[0]?.status.result).toBe('pass');
  });
});

describe('relaxed body canonicalisation', () => {
  const canonical = (text: string) => {
    const out = createByteOutput(8);
    const raw = Buffer.from(`X: y\r\n\r\n${text}`);
    const length = relaxedBody(raw, 8, out);
    return out.buf.toString('latin1', 0, length);
  };
  /** RFC 6376 §3.4.4 word for word, on CRLF lines (a lone CR or LF is no line break). */
  const reference = (text: string) => {
    const lines = text.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
  };

  it('follows RFC 6376 §3.4.4 and its example in §3.4.5', () => {
    expect(canonical(' C \r\nD \t E\r\n\r\n\r\n')).toBe(' C\r\nD E\r\n');
    expect(canonical('')).toBe('');
    expect(canonical('\r\n\r\n')).toBe('');
    expect(canonical('no break at the end  ')).toBe('no break at the end\r\n');
    expect(canonical('a\r\n \r\n\t\r\n')).toBe('a\r\n');
    expect(canonical('bare\rCR  and\nLF')).toBe('bare\rCR and\nLF\r\n');
  });

  it('agrees with the RFC, read word for word, on random bodies', () => {
    const alphabet = ['a', 'b', ' ', ' ', '\t', '\r\n', '\r\n', '\r', '\n', '.'];
    const random = seededRandom(5);
    for (let round = 0; round < 1000; round++) {
      const text = Array.from({ length: Math.floor(random() * 60) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(canonical(text), JSON.stringify(text)).toBe(reference(text));
    }
  });
});

describe('DKIM keys and signer settings', () => {
  it('parses RSA and Ed25519 PEM keys, and refuses short, wrong-type, encrypted or garbled ones', () => {
    expect(parseDkimPrivateKey(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)).toMatchObject({ ok: true });
    expect(parseDkimPrivateKey(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toMatchObject({ ok: true });
    const short = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(parseDkimPrivateKey(short)).toEqual({ ok: false, message: expect.stringContaining('512 bits') });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(parseDkimPrivateKey(ec)).toEqual({ ok: false, message: expect.stringContaining('the DKIM key is ec') });
    const encrypted = rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(parseDkimPrivateKey(encrypted)).toEqual({ ok: false, message: expect.stringContaining('encrypted') });
    expect(parseDkimPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toMatchObject({ ok: false });
  });

  it('refuses a bad domain, selector, key or field list, naming the setting', async () => {
    const privateKey = ed.privateKey;
    expect(() => createDkimSigner({ domainName: 'shop', keySelector: 'ep1', privateKey })).toThrow(/dkim\.domainName/);
    expect(() => createDkimSigner({ domainName: 'shop.example', keySelector: 'ep 1', privateKey })).toThrow(/dkim\.keySelector/);
    expect(() => createDkimSigner({ domainName: 'shop.example', keySelector: 'ep1', privateKey: ed.publicKey })).toThrow(/dkim\.privateKey/);
    expect(() => createDkimSigner({ domainName: 'shop.example', keySelector: 'ep1', privateKey, headerFieldNames: ['DKIM-Signature'] })).toThrow(/itself/);
    const { sign } = createDkimSigner({ domainName: 'shop.example', keySelector: 'ep1', privateKey });
    await expect(sign({ raw: Buffer.from('From: a@b.c\r\nbody'), bodyStart: 5 })).rejects.toThrow(/bodyStart/);
  });
});
