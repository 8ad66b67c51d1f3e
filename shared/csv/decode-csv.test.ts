import { describe, expect, it } from 'vitest';
import { decodeCsv } from './decode-csv';

const utf16 = (text: string, bigEndian: boolean) => {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes.set(bigEndian ? [unit >> 8, unit & 0xff] : [unit & 0xff, unit >> 8], 2 + i * 2);
  }
  return bytes;
};

describe('decodeCsv', () => {
  it('reads UTF-8 with or without a byte-order mark, dropping the mark', () => {
    const body = new TextEncoder().encode('email,ville\nzoé@example.com,Orléans\n');
    expect(decodeCsv(body)).toEqual({ text: 'email,ville\nzoé@example.com,Orléans\n', encoding: 'utf-8' });
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...body]))).toEqual({ text: 'email,ville\nzoé@example.com,Orléans\n', encoding: 'utf-8' });
  });

  it("reads Excel's UTF-16 (Unicode Text) in either byte order", () => {
    const text = 'email\tname\r\nzoé@example.com\tZoë 🎉\r\n';
    expect(decodeCsv(utf16(text, false))).toEqual({ text, encoding: 'utf-16le' });
    expect(decodeCsv(utf16(text, true))).toEqual({ text, encoding: 'utf-16be' });
  });

  it('reads a file that is not valid UTF-8 as Windows-1252', () => {
    // "Orléans – €5" as Excel's plain CSV saves it on Western Windows.
    const bytes = new Uint8Array([0x4f, 0x72, 0x6c, 0xe9, 0x61, 0x6e, 0x73, 0x20, 0x96, 0x20, 0x80, 0x35]);
    expect(decodeCsv(bytes)).toEqual({ text: 'Orléans – €5', encoding: 'windows-1252' });
  });

  it('keeps UTF-8 when only the start of a file is given and a character is cut at the end', () => {
    const bytes = new TextEncoder().encode('name\nZoé');
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(decodeCsv(cut, { partial: true })).toEqual({ text: 'name\nZo', encoding: 'utf-8' });
    // The same bytes as a whole file are not valid UTF-8.
    expect(decodeCsv(cut).encoding).toBe('windows-1252');
  });
});
