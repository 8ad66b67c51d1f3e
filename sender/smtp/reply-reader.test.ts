import { describe, expect, it } from 'vitest';
import { parseExtensions } from './extensions';
import { createReplyReader, type SmtpReply } from './reply-reader';

function read(...chunks: string[]) {
  const replies: SmtpReply[] = [];
  const garbage: string[] = [];
  const reader = createReplyReader((r) => replies.push(r), (g) => garbage.push(g));
  for (const chunk of chunks) reader.push(Buffer.from(chunk));
  return { replies, garbage, pending: reader.pending };
}

describe('reply reader', () => {
  it('reads one-line and multi-line replies, keeping the enhanced status code in the text', () => {
    const { replies, garbage } = read('220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n550 5.1.1 <a@b>: no such user\r\n');
    expect(garbage).toEqual([]);
    expect(replies).toEqual([
      { code: 220, lines: ['mx.example ESMTP'], text: '220 mx.example ESMTP' },
      { code: 250, lines: ['mx.example', 'PIPELINING', 'SIZE 1000'], text: '250-mx.example\n250-PIPELINING\n250 SIZE 1000' },
      { code: 550, lines: ['5.1.1 <a@b>: no such user'], text: '550 5.1.1 <a@b>: no such user' },
    ]);
  });

  it('joins a reply split anywhere across packets, a UTF-8 character and CRLF included', () => {
    const whole = Buffer.from('250-first\r\n250 2.0.0 Ok: queued as 4Xyz – naïve\r\n');
    for (let at = 1; at < whole.length; at++) {
      const replies: SmtpReply[] = [];
      const reader = createReplyReader((r) => replies.push(r), () => {});
      reader.push(whole.subarray(0, at));
      expect(replies).toHaveLength(0);
      reader.push(whole.subarray(at));
      expect(replies.map((r) => r.text)).toEqual(['250-first\n250 2.0.0 Ok: queued as 4Xyz – naïve']);
      expect(reader.pending).toBe(false);
    }
  });

  it('accepts a bare code and LF line ends; reports lines that are not replies', () => {
    expect(read('354\n').replies[0]).toMatchObject({ code: 354, lines: [''] });
    expect(read('HTTP/1.1 400 Bad Request\r\n').garbage).toEqual(['HTTP/1.1 400 Bad Request']);
    // A continuation whose code changes mid-reply is not one reply.
    expect(read('250-a\r\n550 b\r\n').garbage).toEqual(['550 b']);
    expect(read('250-half').pending).toBe(true);
  });
});

describe('EHLO extensions', () => {
  const ehlo = (...lines: string[]) => parseExtensions({ code: 250, lines: ['mx.example greets you', ...lines], text: '' });

  it('reads the keywords the client relies on', () => {
    expect(ehlo('PIPELINING', 'STARTTLS', 'AUTH PLAIN LOGIN xoauth2', 'SIZE 35882577', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES')).toEqual({
      pipelining: true,
      starttls: true,
      auth: new Set(['PLAIN', 'LOGIN', 'XOAUTH2']),
      size: 35882577,
      eightBitMime: true,
      smtputf8: true,
    });
  });

  it('reads the old AUTH= form, a SIZE without a limit, and nothing from the greeting line', () => {
    const found = ehlo('AUTH=LOGIN PLAIN', 'SIZE');
    expect(found.auth).toEqual(new Set(['LOGIN', 'PLAIN']));
    expect(found.size).toBe(0);
    expect(parseExtensions({ code: 250, lines: ['PIPELINING is my name'], text: '' }).pipelining).toBe(false);
  });
});
