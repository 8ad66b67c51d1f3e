// What the API learns from an uploaded file before anything is stored: its encoding, its
// delimiter, its columns and its first rows.
import { decodeCsv, type CsvEncoding } from './decode-csv';
import { readCsvHead } from './read-csv-head';
import { sniffDelimiter, type CsvDelimiter } from './sniff-delimiter';

export interface CsvInspection {
  /** The whole text (of the bytes given). */
  text: string;
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  columns: string[];
  rows: string[][];
}

export interface InspectOptions {
  /** The bytes are only the start of the file. */
  partial?: boolean;
  /** The caller's delimiter; left out, it is found from the header line. */
  delimiter?: CsvDelimiter;
  /** How many rows after the header to return. */
  rows: number;
}

/** Decodes and reads the head of a file; throws CsvReadError with what to fix. */
export function inspectCsv(bytes: Uint8Array, options: InspectOptions): CsvInspection {
  const { text, encoding } = decodeCsv(bytes, { partial: options.partial ?? false });
  const delimiter = options.delimiter ?? sniffDelimiter(text);
  const { columns, rows } = readCsvHead(text, delimiter, options.rows);
  return { text, encoding, delimiter, columns, rows };
}
