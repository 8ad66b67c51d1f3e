import { describe, expect, it } from 'vitest';
import { columnNames, CsvReadError, HEAD_CHARS, isBlankRecord, readCsvHead } from './read-csv-head';

describe('readCsvHead', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks inside, in CRLF files', () => {
    const text = 'email,name,note\r\nann@example.com,"Lovelace, Ada","said ""hi""\r\ntwice"\r\nbob@example.com,Bob,\r\n';
    expect(readCsvHead(text, ',', 10)).toEqual({
      columns: ['email', 'name', 'note'],
      rows: [
        ['ann@example.com', 'Lovelace, Ada', 'said "hi"\r\ntwice'],
        ['bob@example.com', 'Bob', ''],
      ],
    });
  });

  it('returns at most the rows asked for, skipping blank ones, and keeps short and long rows as they are', () => {
    const text = 'email;city\n\na@example.com;Lyon\n;\nb@example.com\nc@example.com;Paris;extra\nd@example.com;Nice\n';
    expect(readCsvHead(text, ';', 3).rows).toEqual([['a@example.com', 'Lyon'], ['b@example.com'], ['c@example.com', 'Paris', 'extra']]);
  });

  it('says where a quote is left open', () => {
    expect(() => readCsvHead('email,name\na@example.com,"Ann\nb@example.com,Bob\n', ',', 10)).toThrow(
      new CsvReadError('A quoted field is never closed (line 3): add the missing " or remove the stray one.'),
    );
  });

  it('stops reading once it has the rows it needs, so a problem further down is not its concern', () => {
    const text = `email\n${'x@example.com\n'.repeat(30)}"never closed\n`;
    expect(readCsvHead(text, ',', 10).rows).toHaveLength(10);
  });

  it('reads only the start of a long text, dropping the row it cut', () => {
    const row = `${'a'.repeat(200)}@example.com,${'b'.repeat(300)}\n`;
    const head = readCsvHead(`email,name\n${row.repeat(Math.ceil(HEAD_CHARS / row.length) + 5)}`, ',', 10_000);
    expect(head.rows.length).toBe(Math.floor((HEAD_CHARS - 11) / row.length));
    expect(head.rows.every((r) => r[1]!.length === 300)).toBe(true);
  });

  it('refuses an empty file or a blank header line', () => {
    expect(() => readCsvHead('', ',', 10)).toThrow(/empty/);
    expect(() => readCsvHead('\nemail\n', ',', 10)).toThrow(/first line is blank/);
  });
});

describe('columnNames', () => {
  it('trims, names empty columns and tells repeated ones apart', () => {
    expect(columnNames([' Email ', '', 'City', 'City', 'City', ''])).toEqual(['Email', 'column 2', 'City', 'City (2)', 'City (3)', 'column 6']);
  });
});

describe('isBlankRecord', () => {
  it('is true for empty lines and rows of empty cells only', () => {
    expect(isBlankRecord([''])).toBe(true);
    expect(isBlankRecord(['', ' ', ''])).toBe(true);
    expect(isBlankRecord(['', 'x'])).toBe(false);
  });
});
