import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { createTransport } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { formatMailbox } from '../../shared/render/email-address';
import type { RenderedMessage } from '../../shared/render/render-message';
import { createMimeBuilder } from './build-mime';

const NOW = new Date('2026-03-01T09:30:15Z');
const buildMime = createMimeBuilder({ now: () => NOW });

function message(overrides: Partial<RenderedMessage> = {}): RenderedMessage {
  return {
    from: formatMailbox('Shop News', 'news@shop.example'),
    to: formatMailbox('Jane Doe', 'jane@example.com'),
    subject: 'Spring is here',
    text: 'Hello Jane,\nour spring collection is here.\n',
    html: '<p>Hello Jane,</p><p>our spring collection is here.</p>',
    envelopeFrom: 'bounces+7-abcdef012345@shop.example',
    messageIdHeader: '<7.3.k1@shop.example>',
    headers: {
      'List-Unsubscribe': `<https://t.shop.example/u/${'tok3n'.repeat(12)}>, <mailto:bounces+unsubscribe@shop.example?subject=unsubscribe%20tok3n>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...overrides,
  };
}

const first = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field[0] : field)?.value[0];
/** What a text means once sent: its line breaks travel as CRLF and come back as LF. */
const asReceived = (text: string) => text.replace(/\r\n/g, '\n');

/** The fields a recipient sees, as mailparser reads them. */
function seen(mail: ParsedMail) {
  const unfolded = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r\n(?=[ \t])/g, '');
  return {
    from: first(mail.from),
    to: first(mail.to),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    listUnsubscribe: unfolded('list-unsubscribe'),
    listUnsubscribePost: unfolded('list-unsubscribe-post'),
  };
}

async function roundTrip(input: RenderedMessage) {
  const built = buildMime(input);
  checkWireFormat(built.raw, built.bodyStart);
  return { built, mail: await simpleParser(built.raw) };
}

/** CRLF only, 7-bit, header lines within 78 (where they can fold) and body lines within 76, a blank line at bodyStart. */
function checkWireFormat(raw: Buffer, bodyStart: number): void {
  const text = raw.toString('latin1');
  expect(text).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  expect(text.slice(bodyStart - 4, bodyStart)).toBe('\r\n\r\n');
  const head = text.slice(0, bodyStart - 4);
  expect(head).not.toContain('\r\n\r\n');
  for (const line of head.split('\r\n')) {
    // Past 78 only where nothing could fold: one unbreakable token, such as a long unsubscribe URL.
    if (line.length > 78) expect(line.replace(/^[\w-]+: /, '').trim(), line).not.toMatch(/\s/);
    expect(line.length).toBeLessThanOrEqual(998);
  }
  for (const line of text.slice(bodyStart).split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(76);
}

describe('buildMime', () => {
  it('writes every field of a plain message so that it reads back the same', async () => {
    const input = message();
    const { built, mail } = await roundTrip(input);
    expect(seen(mail)).toEqual({
      from: { name: 'Shop News', address: 'news@shop.example' },
      to: { name: 'Jane Doe', address: 'jane@example.com' },
      subject: input.subject,
      text: input.text,
      html: input.html,
      messageId: input.messageIdHeader,
      listUnsubscribe: `List-Unsubscribe: ${input.headers['List-Unsubscribe']}`,
      listUnsubscribePost: 'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    });
    expect(mail.date).toEqual(NOW);
    expect(mail.headers.get('mime-version')).toBe('1.0');
    expect(built.raw.toString('latin1')).toContain('\r\nDate: Sun, 01 Mar 2026 09:30:15 +0000\r\n');
    expect(built.envelope).toEqual({ from: input.envelopeFrom, to: ['jane@example.com'] });
  });

  it('round-trips nasty names, subjects and bodies', async () => {
    const text = [
      'Grüße, Zoë! 日本語 😀',
      '.a line starting with a dot',
      '..two dots',
      'From the start of a line',
      'x'.repeat(2000),
      'trailing spaces   ',
      'trailing tab\t',
      'a lone\rcarriage return',
      'equals = signs == everywhere =3D =?utf-8?q?not-a-word?=',
      '',
    ].join('\n');
    const input = message({
      from: formatMailbox('Shöp, "Naïve" News', 'news@shop.example'),
      to: formatMailbox('山田 太郎 😀', 'taro@example.jp'),
      subject: `Re: =?utf-8?q?literally?= ${'a very long subject with ünïcödé '.repeat(8)}🌷`,
      text,
      html: `<p style="color: red">Grüße = 日本語 😀</p>\n<pre>${'y'.repeat(2000)}</pre>\n.dot\nFrom me  \n`,
    });
    const { mail } = await roundTrip(input);
    expect(seen(mail)).toMatchObject({
      from: { name: 'Shöp, "Naïve" News', address: 'news@shop.example' },
      to: { name: '山田 太郎 😀', address: 'taro@example.jp' },
      subject: input.subject,
      text: asReceived(text),
      html: input.html,
    });
  });

  it('keeps quotes, commas and angle brackets in a display name inside the one mailbox', async () => {
    const { mail, built } = await roundTrip(message({ to: formatMailbox('Doe, Jane <CEO> "JD"', 'jane@example.com') }));
    expect(mail.to).toMatchObject({ value: [{ name: 'Doe, Jane <CEO> "JD"', address: 'jane@example.com' }] });
    expect(built.envelope.to).toEqual(['jane@example.com']);
  });

  it('writes a text-only message as a single text/plain part, exactly', async () => {
    const input = message({ html: null, text: 'Just text.\n.\nFrom here = there' });
    const { built, mail } = await roundTrip(input);
    expect(mail.html).toBe(false);
    expect(mail.text).toBe(input.text);
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'text/plain', params: { charset: 'utf-8' } });
    expect(built.raw.toString()).not.toContain('multipart');
  });

  it('sends HTML in a non-Latin script as base64', async () => {
    const html = `<html><body><p>${'日本語のニュースレターです。今月のおすすめ商品をご紹介します。'.repeat(40)}</p></body></html>`;
    const { built, mail } = await roundTrip(message({ html, text: '今月のおすすめ商品をご紹介します。' }));
    const raw = built.raw.toString('latin1');
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n/);
    expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n/);
    expect(mail.html).toBe(html);
    expect(mail.text).toBe('今月のおすすめ商品をご紹介します。');
  });

  it('draws a fresh boundary per message, one that cannot occur in an encoded body', () => {
    const build = createMimeBuilder();
    const boundaryOf = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString())![1]!;
    const a = build(message({ text: '--=_ep_ =_ep_ =_' }));
    const b = build(message());
    expect(boundaryOf(a.raw)).not.toBe(boundaryOf(b.raw));
    expect(boundaryOf(a.raw)).toMatch(/^=_ep_[0-9a-f-]{36}$/);
    const raw = a.raw.toString();
    expect(raw.split(`--${boundaryOf(a.raw)}`)).toHaveLength(4); // two delimiters and the closing one
  });

  it('splits header and body where DKIM needs them', () => {
    const { raw, bodyStart } = buildMime(message());
    const head = raw.subarray(0, bodyStart - 2).toString();
    expect(head.endsWith('\r\n')).toBe(true);
    expect(head).toMatch(/^From: /);
    expect(raw.subarray(bodyStart).toString()).toMatch(/^--=_ep_/);
  });

  it('reads the same as nodemailer’s own MIME for the same message', async () => {
    const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    const inputs = [
      message(),
      message({
        from: formatMailbox('Shöp "News", Paris', 'news@shop.example'),
        to: formatMailbox('Zoë 😀 Müller', 'zoe@example.com'),
        subject: `Grüße aus Köln ${'und mehr '.repeat(12)}`,
        text: `Line\n.dot\nFrom x\n${'z'.repeat(2000)}\ntrailing  \nequals = x\n`,
        html: '<p>日本語 = ok</p>',
      }),
      message({ html: null, text: 'Only text, ending in a newline.\n' }),
    ];
    for (const input of inputs) {
      const ours = seen(await simpleParser(buildMime(input).raw));
      const { from, to, subject, text, html, messageIdHeader, headers } = input;
      const composed = await composer.sendMail({ from, to, subject, text, html: html ?? undefined, messageId: messageIdHeader, headers });
      const theirs = seen(await simpleParser(composed.message as Buffer));
      expect(ours).toEqual(theirs);
    }
  });

  it('refuses a message that would break its own header, naming the field', () => {
    expect(() => buildMime(message({ subject: 'Hi\r\nBcc: all@example.com' }))).toThrow(/message\.subject must be one line/);
    expect(() => buildMime(message({ headers: { From: 'x@evil.example' } }))).toThrow(/message\.headers may not set From/);
    expect(() => buildMime(message({ headers: { 'Bad Name': 'x' } }))).toThrow(/invalid field name "Bad Name"/);
    expect(() => buildMime(message({ headers: { 'X-A': 'a\nb' } }))).toThrow(/message\.headers\["X-A"\] must be one line/);
    expect(() => buildMime(message({ messageIdHeader: 'no-brackets@x' }))).toThrow(/message\.messageIdHeader must look like <id@domain>/);
    expect(() => buildMime(message({ envelopeFrom: 'Bounces <b@x.example>' }))).toThrow(/message\.envelopeFrom must be a bare address/);
    expect(() => buildMime(message({ to: 'a@example.com, b@example.com' }))).toThrow(/message\.to is not one mailbox/);
    expect(() => buildMime(message({ html: undefined as unknown as null }))).toThrow(/message\.html must be a string, or null/);
  });
});
