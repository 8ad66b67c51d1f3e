import { describe, expect, it } from 'vitest';
import { encodeQuotedPrintable } from './quoted-printable';
import { decodeStrict } from '../../test/helpers/quoted-printable';
import { seededRandom } from '../../test/helpers/seeded-random';

/** Decodes and also checks that no line splits a character: each line's bytes are UTF-8 on their own. */
function roundTrip(text: string): string {
  const encoded = encodeQuotedPrintable(text);
  for (const line of encoded.toString('latin1').split('\r\n')) {
    const bytes = Buffer.from(line.replace(/=$/, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), line).not.toThrow();
  }
  return decodeStrict(encoded).toString('utf8');
}
/** What the text means once its line breaks travel as CRLF. */
const asSent = (text: string) => text.replace(/\r?\n/g, '\r\n');

describe('encodeQuotedPrintable', () => {
  it('leaves printable ASCII alone and escapes "=", non-ASCII and control characters', () => {
    expect(encodeQuotedPrintable('a = b, é\u0001').toString()).toBe('a =3D b, =C3=A9=01');
  });

  it('turns LF and CRLF into hard CRLF breaks and escapes a lone CR', () => {
    expect(encodeQuotedPrintable('a\nb\r\nc\rd').toString()).toBe('a\r\nb\r\nc=0Dd');
  });

  it('escapes whitespace at the end of a line and of the text, not elsewhere', () => {
    expect(encodeQuotedPrintable('a b \nc\t\r\nd  ').toString()).toBe('a b=20\r\nc=09\r\nd =20');
    expect(encodeQuotedPrintable('a \rb').toString()).toBe('a =0Db');
  });

  it('breaks long lines softly at 76 characters without splitting an escape', () => {
    const encoded = encodeQuotedPrintable(`${'x'.repeat(74)}é${'y'.repeat(200)}`).toString();
    const lines = encoded.split('\r\n');
    expect(lines[0]).toBe(`${'x'.repeat(74)}=`);
    expect(lines[1]!.startsWith('=C3=A9')).toBe(true);
    expect(Math.max(...lines.map((l) => l.length))).toBe(76);
    expect(roundTrip(`${'x'.repeat(74)}é${'y'.repeat(200)}`)).toBe(`${'x'.repeat(74)}é${'y'.repeat(200)}`);
  });

  it('escapes a dot or "From " at the start of a line, after hard and soft breaks alike', () => {
    expect(encodeQuotedPrintable('.a\nFrom me\nFrog\n..').toString()).toBe('=2Ea\r\n=46rom me\r\nFrog\r\n=2E.');
    const afterSoftBreak = encodeQuotedPrintable(`${'x'.repeat(75)}.${'x'.repeat(74)}From here`).toString().split('\r\n');
    expect(afterSoftBreak[1]).toBe(`=2E${'x'.repeat(72)}=`);
    expect(afterSoftBreak[2]).toBe('xxFrom here');
    expect(encodeQuotedPrintable(`${'x'.repeat(75)}From me`).toString()).toBe(`${'x'.repeat(75)}=\r\n=46rom me`);
  });

  it('round-trips a line of 2,000 characters, "=" signs, emoji and CJK', () => {
    const text = `${'ab= '.repeat(500)}\n日本語 😀 naïve =?utf-8?q?x?=\n.\nFrom x\n`;
    expect(roundTrip(text)).toBe(asSent(text));
  });

  it('round-trips random text and keeps every line within 76 characters', () => {
    const alphabet = ['a', 'Z', ' ', '\t', '=', '.', 'F', 'rom ', '\n', '\r\n', '\r', 'é', '€', '😀', '\u0000', '~', 'From '];
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random() * 400);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(roundTrip(text)).toBe(asSent(text));
    }
  });

  it('writes Latin-1-only text (its fast path) exactly as the same text in UTF-8 bytes', () => {
    const latin = ['é', 'ÿ', '\u0080', '\u00a0', 'a', ' ', '=', '\n', '.', 'From '];
    const random = seededRandom(11);
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: Math.floor(random() * 300) }, () => latin[Math.floor(random() * latin.length)]).join('');
      expect(encodeQuotedPrintable(text).toString()).toBe(encodeQuotedPrintable(Buffer.from(text, 'utf8')).toString());
      expect(roundTrip(text)).toBe(asSent(text));
    }
    expect(encodeQuotedPrintable(`${'x'.repeat(72)}é`).toString()).toBe(`${'x'.repeat(72)}=\r\n=C3=A9`);
  });

  it('encodes a Buffer as its bytes', () => {
    expect(encodeQuotedPrintable(Buffer.from([0x00, 0x41, 0xff])).toString()).toBe('=00A=FF');
  });
});
