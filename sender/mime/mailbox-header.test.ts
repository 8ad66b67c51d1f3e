import { describe, expect, it } from 'vitest';
import { formatMailbox } from '../../shared/render/email-address';
import { mailboxHeader, parseHeaderMailbox } from './mailbox-header';

describe('parseHeaderMailbox', () => {
  it('reads what formatMailbox writes, escapes included', () => {
    const written = formatMailbox('Jane "JJ" Doe, \\ Sales', 'jane@example.com');
    expect(parseHeaderMailbox(written, 'message.to')).toEqual({ name: 'Jane "JJ" Doe, \\ Sales', address: 'jane@example.com' });
    expect(parseHeaderMailbox('jane@example.com', 'message.to')).toEqual({ name: '', address: 'jane@example.com' });
    expect(parseHeaderMailbox('Shop News <news@shop.example>', 'message.from')).toEqual({ name: 'Shop News', address: 'news@shop.example' });
  });

  it('quotes a local part that is not a dot-atom and punycodes a non-ASCII domain', () => {
    expect(parseHeaderMailbox('a..b@example.com', 'message.to').address).toBe('"a..b"@example.com');
    expect(parseHeaderMailbox('"x" <info@jõgeva.ee>', 'message.to').address).toBe('info@xn--jgeva-dua.ee');
  });

  it('refuses what is not one mailbox, naming the field', () => {
    expect(() => parseHeaderMailbox('a@example.com, b@example.com', 'message.to')).toThrow(/message\.to is not one mailbox/);
    expect(() => parseHeaderMailbox('"A" <no-at-sign>', 'message.to')).toThrow(/message\.to/);
    expect(() => parseHeaderMailbox('a@example.com\r\nBcc: x@evil.example', 'message.to')).toThrow(/message\.to/);
    expect(() => parseHeaderMailbox('"A\u0000" <a@example.com>', 'message.from')).toThrow(/message\.from has a control character/);
    expect(() => parseHeaderMailbox(42, 'message.from')).toThrow(/message\.from must be a string/);
  });
});

describe('mailboxHeader', () => {
  it('quotes a plain name, escaping quotes and backslashes', () => {
    expect(mailboxHeader('To', { name: 'Doe, "J" \\', address: 'j@example.com' })).toBe('To: "Doe, \\"J\\" \\\\" <j@example.com>');
    expect(mailboxHeader('To', { name: '', address: 'j@example.com' })).toBe('To: j@example.com');
  });

  it('encodes a non-ASCII name, or one holding "=?", and keeps lines within 78', () => {
    expect(mailboxHeader('From', { name: 'Zoë', address: 'z@example.com' })).toMatch(/^From: =\?UTF-8\?[QB]\?.+\?= <z@example\.com>$/);
    expect(mailboxHeader('From', { name: 'a =?utf-8?q?b?=', address: 'z@example.com' })).toMatch(/^From: =\?UTF-8\?Q\?a_=3D=3Futf-8/);
    const long = mailboxHeader('To', { name: `${'Ünïcödé '.repeat(12).trim()}`, address: 'someone.with.a.long.address@subdomain.example.com' });
    for (const line of long.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('encodes a plain name too long for one line rather than folding inside its quotes', () => {
    const field = mailboxHeader('To', { name: 'very long name '.repeat(6).trim(), address: 'a@example.com' });
    expect(field).toMatch(/^To: =\?UTF-8\?Q\?very_long/);
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });
});
