import { describe, expect, it } from 'vitest';
import { conformanceMessage } from '../../test/helpers/driver-conformance';
import { createMimeBuilder } from '../mime/build-mime';
import { dataChunks, UnsendableMessageError } from './dot-stuffing';

const wire = (text: string) => Buffer.concat(dataChunks(Buffer.from(text, 'latin1'))).toString('latin1');
/** What a server keeps: the data up to CRLF.CRLF, each leading dot removed. */
const unstuff = (data: string) => data.slice(0, data.lastIndexOf('\r\n.\r\n') + 2).replace(/^\./gm, '');

describe('dot-stuffing', () => {
  it.each([
    ['plain lines', 'a\r\nb\r\n', 'a\r\nb\r\n.\r\n'],
    ['a line that is only a dot', 'a\r\n.\r\nb\r\n', 'a\r\n..\r\nb\r\n.\r\n'],
    ['lines starting with dots', '..\r\n.x\r\n...\r\n', '...\r\n..x\r\n....\r\n.\r\n'],
    ['a dot as the very first byte', '.\r\n', '..\r\n.\r\n'],
    ['no line break at the end', 'a\r\n.', 'a\r\n..\r\n.\r\n'],
    ['nothing at all', '', '.\r\n'],
  ])('%s', (_name, raw, expected) => {
    expect(wire(raw)).toBe(expected);
  });

  it('round-trips: what the server un-stuffs is what we had, up to the CRLF SMTP adds', () => {
    const samples = ['.\r\n..\r\n.\r\n', 'x\r\n.\r\n.\r\n.\r\n', `${'.a\r\n'.repeat(100)}end\r\n`, '\r\n\r\n.\r\n'];
    for (const raw of samples) expect(unstuff(wire(raw))).toBe(raw);
  });

  it('hands back the message itself, uncopied, when no line starts with a dot', () => {
    const raw = Buffer.from('Subject: x\r\n\r\nnothing to stuff\r\n');
    const chunks = dataChunks(raw);
    expect(chunks[0]).toBe(raw);
    expect(chunks).toHaveLength(2);
  });

  it.each([
    ['a bare LF', 'a\nb\r\n', 'bare line feed'],
    ['a bare LF at the start', '\nb\r\n', 'bare line feed'],
    ['LF before a dot (SMTP smuggling)', 'a\r\n\n.\r\nMAIL FROM:<x>\r\n', 'bare line feed'],
    ['CR before a dot (SMTP smuggling)', 'a\r.\rb\r\n', 'bare carriage return'],
  ])('refuses %s', (_name, raw, words) => {
    expect(() => dataChunks(Buffer.from(raw))).toThrow(UnsendableMessageError);
    expect(() => dataChunks(Buffer.from(raw))).toThrow(words);
  });

  it('passes what our MIME builder makes: CRLF line ends only, whatever the text had', () => {
    const build = createMimeBuilder();
    const { raw } = build(conformanceMessage(5, { text: 'Unix\nline ends\n.\n.dot\rlone CR\r\nand CRLF\n', html: '<p>a</p>\n.\n<p>b</p>\r' }));
    const text = raw.toString('latin1');
    expect(text).not.toMatch(/[^\r]\n|\r[^\n]/);
    expect(unstuff(Buffer.concat(dataChunks(raw)).toString('latin1'))).toBe(text);
  });
});
