import { describe, expect, it } from 'vitest';
import { formatMailbox, isDeliverableAddress, parseMailbox } from './email-address';

describe('parseMailbox', () => {
  it('reads a bare address, a named one and a quoted name', () => {
    expect(parseMailbox(' news@Shop.Example ')).toEqual({ ok: true, mailbox: { name: '', address: 'news@Shop.Example', domain: 'shop.example' } });
    expect(parseMailbox('Shop News <news@shop.example>')).toEqual({ ok: true, mailbox: { name: 'Shop News', address: 'news@shop.example', domain: 'shop.example' } });
    expect(parseMailbox('"Shop, \\"The\\" Best" <news@shop.example>')).toEqual({
      ok: true,
      mailbox: { name: 'Shop, "The" Best', address: 'news@shop.example', domain: 'shop.example' },
    });
  });

  it('says what to fix for anything else', () => {
    expect(parseMailbox('')).toEqual({ ok: false, reason: expect.stringContaining('empty') });
    expect(parseMailbox('news@shop.example\r\nBcc: x@y.example')).toEqual({ ok: false, reason: expect.stringContaining('one line') });
    expect(parseMailbox('Shop <news@localhost>')).toEqual({ ok: false, reason: expect.stringContaining('"news@localhost" is not an email address') });
    expect(parseMailbox('"Shop <news@shop.example>')).toEqual({ ok: false, reason: expect.stringContaining('quote') });
    expect(parseMailbox('news at shop.example')).toMatchObject({ ok: false });
  });
});

describe('formatMailbox', () => {
  it('quotes the name, escapes quotes and backslashes, and drops control characters', () => {
    expect(formatMailbox('', 'a@b.example')).toBe('a@b.example');
    expect(formatMailbox('Ann "Jo" \\ Lee', 'a@b.example')).toBe('"Ann \\"Jo\\" \\\\ Lee" <a@b.example>');
    expect(formatMailbox('Eve\r\nBcc: x@evil.example', 'a@b.example')).toBe('"Eve Bcc: x@evil.example" <a@b.example>');
    expect(formatMailbox('<script>, x', 'a@b.example')).toBe('"<script>, x" <a@b.example>');
  });
});

describe('isDeliverableAddress', () => {
  it('refuses anything that could break a header or an envelope', () => {
    expect(isDeliverableAddress('ann@example.com')).toBe(true);
    for (const bad of ['ann', 'a b@example.com', 'a@b@example.com', '<a@example.com>', 'a@example.com\r\n', 'a,b@example.com']) {
      expect(isDeliverableAddress(bad), bad).toBe(false);
    }
  });
});
