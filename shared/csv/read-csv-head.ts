// The start of a CSV file, for the API: its columns and first rows, read with csv-parse's
// Web-standard build. The sender plane reads the whole file with the same options
// (csvParseOptions), so what the preview shows is what the import reads.
import { CsvError, parse } from 'csv-parse/browser/esm/sync';
import type { CsvDelimiter } from './sniff-delimiter';

/** How every part of Edgepost reads CSV: quoted fields (embedded delimiters, quotes, newlines), CRLF, LF or CR. */
export function csvParseOptions(delimiter: CsvDelimiter) {
  return {
    delimiter,
    // Rows may be short (missing trailing cells) or long; each row is checked on its own.
    relax_column_count: true,
    // A quote inside an unquoted field (5" floppy) is kept as a character.
    relax_quotes: true,
    // Blank records are kept so row numbers match the spreadsheet's.
    skip_empty_lines: false,
  };
}

/** At most this much text is read for a preview or for the header. */
export const HEAD_CHARS = 1024 * 1024;
// Tried first: parsing costs about 85 ms per MB in the Web build, and rows are short.
const FIRST_HEAD_CHARS = 64 * 1024;

/** The file cannot be read as CSV; the message says where and what to fix. */
export class CsvReadError extends Error {
  override name = 'CsvReadError';
}

/** A record with no content: an empty line, or only delimiters (how spreadsheets save blank rows). */
export function isBlankRecord(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

/**
 * Column names from a header record: trimmed; an empty one is named `column N`; a repeated
 * one gets ` (2)`, ` (3)`..., so a mapping can name every column without editing the file.
 */
export function columnNames(header: readonly string[]): string[] {
  const seen = new Set<string>();
  return header.map((raw, i) => {
    const base = raw.trim() || `column ${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
    seen.add(name);
    return name;
  });
}

/** Says what went wrong in words a spreadsheet user can act on. */
export function describeCsvError(err: CsvError): string {
  const line = typeof err.lines === 'number' ? ` (line ${err.lines})` : '';
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') return `A quoted field is never closed${line}: add the missing " or remove the stray one.`;
  if (err.code === 'CSV_INVALID_CLOSING_QUOTE') return `A quoted field has text after its closing quote${line}: quote the whole field, and double any " inside it ("").`;
  return `The file is not valid CSV${line}: ${err.message}`;
}

export interface CsvHead {
  columns: string[];
  /** The first non-blank rows after the header, as in the file. */
  rows: string[][];
}

/**
 * The first `want` records of the text's first `size` characters. Null when the text was cut
 * before `want` records and `last` is false: a longer start may hold them.
 */
function parseStart(text: string, size: number, delimiter: CsvDelimiter, want: number, last: boolean): string[][] | null {
  const truncated = text.length > size;
  let records: string[][];
  try {
    // `to` stops the parser after the records we need: the rest is never looked at.
    records = parse(truncated ? text.slice(0, size) : text, { ...csvParseOptions(delimiter), to: want });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    if (!truncated) throw new CsvReadError(describeCsvError(err));
    if (!last) return null;
    throw new CsvReadError(`The first rows of the file are longer than ${HEAD_CHARS / 1024 / 1024} MB; is a quote left open?`);
  }
  if (!truncated || records.length === want) return records;
  if (!last) return null;
  // Cut off mid-record, the last record is incomplete.
  return records.slice(0, -1);
}

/** Reads the header and up to `rows` rows from the start of a file's text. */
export function readCsvHead(text: string, delimiter: CsvDelimiter, rows: number): CsvHead {
  // The header, the rows, and room for a few blank rows.
  const want = rows + 11;
  const records = parseStart(text, FIRST_HEAD_CHARS, delimiter, want, false) ?? parseStart(text, HEAD_CHARS, delimiter, want, true)!;
  const [header, ...data] = records;
  if (!header) throw new CsvReadError('The file is empty: it needs a first line naming the columns (e.g. email,name) and a row per subscriber.');
  if (isBlankRecord(header)) throw new CsvReadError('The first line is blank: it must name the columns (e.g. email,name).');
  return { columns: columnNames(header), rows: data.filter((r) => !isBlankRecord(r)).slice(0, rows) };
}
