// Streams the records of an import file through csv-parse, with the options the API's
// preview uses, so both read the file the same way. Records come out one at a time (the
// parser's stream applies back-pressure), never as one array of the whole file.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { csvParseOptions } from '../../shared/csv/read-csv-head';
import type { CsvDelimiter } from '../../shared/csv/sniff-delimiter';

const CHUNK_BYTES = 256 * 1024;

function* byteChunks(bytes: Buffer): Generator<Buffer> {
  // Cut anywhere: the parser joins a character split across chunks.
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
}

/** Every record of the file, the header first. Throws csv-parse's CsvError on malformed CSV. */
export async function* csvRecords(text: string, delimiter: CsvDelimiter): AsyncGenerator<string[]> {
  const parser = Readable.from(byteChunks(Buffer.from(text, 'utf8'))).pipe(parse(csvParseOptions(delimiter)));
  try {
    for await (const record of parser) yield record as string[];
  } finally {
    // A caller that stops early (lost job, shutdown) leaves nothing reading in the background.
    parser.destroy();
  }
}
