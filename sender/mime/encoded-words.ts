// RFC 2047 encoded-words for header text that is not plain ASCII: display names and
// subjects with accents, CJK or emoji. Each word holds whole characters (§6.3: a decoder
// may not join a character split between words) and is at most 75 characters long (§2).

/** `=?UTF-8?Q?` and `?=` around the encoded text. */
const OVERHEAD = 12;
/** The longest an encoded-word may be (RFC 2047 §2). */
export const MAX_WORD = 75;
/** Room for one 4-byte character in Q (`=F0=9F=98=80`) inside the smallest word we make. */
const MIN_WORD = OVERHEAD + 12;

const HEX = '0123456789ABCDEF';
/** Q encoding of each ASCII character in a phrase (§5 rule 3: letters, digits and `!*+-/` stay as they are). */
const Q_ASCII: string[] = Array.from({ length: 128 }, (_, code) => {
  const char = String.fromCharCode(code);
  if (code === 0x20) return '_';
  return /[A-Za-z0-9!*+\-/]/.test(char) ? char : `=${HEX[code >> 4]}${HEX[code & 15]}`;
});

/**
 * Encodes `text` as encoded-words: the first at most `firstWordMax` characters long (what
 * is left of the header's first line), the rest at most 75. Join them with spaces: a
 * decoder drops the space between two encoded-words, and a fold may go there.
 */
export function encodeWords(text: string, firstWordMax = MAX_WORD): string[] {
  const q = mostlyLatin(text);
  const words: string[] = [];
  let room = Math.min(MAX_WORD, Math.max(MIN_WORD, firstWordMax)) - OVERHEAD;
  let payload = '';
  let bytes = 0;
  const flush = () => {
    words.push(q ? `=?UTF-8?Q?${payload}?=` : `=?UTF-8?B?${Buffer.from(payload, 'utf8').toString('base64')}?=`);
    payload = '';
    bytes = 0;
    room = MAX_WORD - OVERHEAD;
  };
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    let units = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        units = 2;
      }
    }
    if (q) {
      const piece = code < 0x80 ? Q_ASCII[code]! : qBytes(code);
      if (payload && payload.length + piece.length > room) flush();
      payload += piece;
    } else {
      const length = utf8Length(code);
      if (payload && Math.ceil((bytes + length) / 3) * 4 > room) flush();
      payload += units === 1 ? text[i] : text.slice(i, i + 2);
      bytes += length;
    }
    i += units - 1;
  }
  if (payload || words.length === 0) flush();
  return words;
}

/** Whether text needs encoded-words: anything beyond printable ASCII, or `=?`, which a decoder would read as the start of one. */
export function needsEncodedWords(text: string): boolean {
  return /[^\x20-\x7e]/.test(text) || text.includes('=?');
}

/** Q for mostly Latin text, B otherwise (nodemailer's rule: the shorter of the two, roughly). */
function mostlyLatin(text: string): boolean {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
    else if (code >= 0x80 || code < 0x20 || code === 0x7f) other++;
  }
  return other < latin;
}

function utf8Length(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/** `=XX` for each byte value. */
const Q_BYTE: string[] = Array.from({ length: 256 }, (_, byte) => `=${HEX[byte >> 4]}${HEX[byte & 15]}`);

/** `=XX` for each UTF-8 byte of a non-ASCII code point (a lone surrogate becomes U+FFFD, as Buffer.from does). */
function qBytes(code: number): string {
  if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
  if (code < 0x800) return Q_BYTE[0xc0 | (code >> 6)]! + Q_BYTE[0x80 | (code & 63)]!;
  if (code < 0x10000) return Q_BYTE[0xe0 | (code >> 12)]! + Q_BYTE[0x80 | ((code >> 6) & 63)]! + Q_BYTE[0x80 | (code & 63)]!;
  return Q_BYTE[0xf0 | (code >> 18)]! + Q_BYTE[0x80 | ((code >> 12) & 63)]! + Q_BYTE[0x80 | ((code >> 6) & 63)]! + Q_BYTE[0x80 | (code & 63)]!;
}
