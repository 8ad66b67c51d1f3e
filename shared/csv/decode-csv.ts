// Turns an uploaded file's bytes into text. Spreadsheets save CSV in a few encodings:
// UTF-8 (Excel's "CSV UTF-8" adds a byte-order mark), UTF-16 with a byte-order mark
// (Excel's "Unicode Text", tab-separated), and on Western Windows the ANSI code page,
// Windows-1252 (Excel's plain "CSV"). Anything that is not valid UTF-8 is read as
// Windows-1252: every byte sequence decodes, and for Western files it is the right guess.

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedCsv {
  text: string;
  encoding: CsvEncoding;
}

function byteOrderMark(bytes: Uint8Array): CsvEncoding | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * Decodes a CSV file (the byte-order mark, if any, is dropped). `partial`: the bytes are the
 * start of a longer file, so a character cut at the end is not a reason to leave UTF-8.
 */
export function decodeCsv(bytes: Uint8Array, { partial = false } = {}): DecodedCsv {
  const marked = byteOrderMark(bytes);
  // TextDecoder drops the byte-order mark and turns malformed sequences (a lone UTF-16
  // surrogate included) into U+FFFD, so the text is always well-formed.
  if (marked) return { text: new TextDecoder(marked).decode(bytes, { stream: partial }), encoding: marked };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: partial }), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

// 0x80-0x9F, where Windows-1252 differs from ISO-8859-1 (the five unassigned bytes stay
// C1 controls, as the WHATWG Encoding Standard maps them).
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

// By hand, because Node 20's TextDecoder('windows-1252') decodes ISO-8859-1 instead (€ and
// the curly quotes come out as C1 controls). Every code fits one UTF-16 unit, so the text
// is built as UTF-16 (in the platform's byte order: little-endian wherever this runs) and
// decoded in one call.
function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    units[i] = b >= 0x80 && b < 0xa0 ? WINDOWS_1252_HIGH.charCodeAt(b - 0x80) : b;
  }
  return new TextDecoder('utf-16le').decode(units);
}
