// The message as the DATA phase carries it (RFC 5321 §4.5.2): a dot doubled at the start
// of each line that begins with one, and CRLF.CRLF at the end. Native searches only
// (Buffer.indexOf finds each line break), never a JavaScript loop over the bytes: this
// was the largest single cost of sending a 50 KB newsletter through nodemailer.

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const DOT_ONLY = Buffer.from('.');
const END = Buffer.from('.\r\n');
const CRLF_END = Buffer.from('\r\n.\r\n');
const CR_DOT = Buffer.from('\r.');

/** Thrown for bytes SMTP cannot carry as they are; a TypeError, so the message is not retried. */
export class UnsendableMessageError extends TypeError {
  readonly code = 'EMESSAGE';
}

/**
 * The chunks to write after DATA's 354, in order: slices of `raw` (no copy), a "." before
 * each line that starts with one, and the terminator. A bare LF is refused rather than
 * rewritten: the message may be DKIM-signed, and a line break of ours would break that
 * (bare LFs are also how SMTP smuggling starts). Of bare CRs, the one case that could end
 * the data early on a lax server, a CR right before a dot, is refused too.
 */
export function dataChunks(raw: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  if (raw[0] === DOT) chunks.push(DOT_ONLY);
  let from = 0;
  for (let lf = raw.indexOf(LF); lf !== -1; lf = raw.indexOf(LF, lf + 1)) {
    if (raw[lf - 1] !== CR) throw new UnsendableMessageError(`the message has a bare line feed (LF without CR) at byte ${lf}; SMTP needs CRLF line endings`);
    if (raw[lf + 1] === DOT) {
      chunks.push(raw.subarray(from, lf + 1), DOT_ONLY);
      from = lf + 1;
    }
  }
  const crDot = raw.indexOf(CR_DOT);
  if (crDot !== -1) throw new UnsendableMessageError(`the message has a bare carriage return before a dot at byte ${crDot}; SMTP needs CRLF line endings`);
  chunks.push(from === 0 ? raw : raw.subarray(from));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === CR && raw[raw.length - 1] === LF;
  chunks.push(endsWithCrlf || raw.length === 0 ? END : CRLF_END);
  return chunks;
}
