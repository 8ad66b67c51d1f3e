// Base64 bodies (RFC 2045 §6.8) in lines of 76 characters. Node encodes natively; this
// only cuts the result into lines, 57 input bytes at a time, straight into the output.
import { reserve, type ByteOutput } from './byte-output';

/** Input bytes per 76-character line. */
const BYTES_PER_LINE = 57;

/** Appends `input[0, length)` to `out` as base64 lines with CRLF between them (none after the last, like a quoted-printable body). */
export function writeBase64Lines(out: ByteOutput, input: Buffer, length = input.length): void {
  reserve(out, Math.ceil(length / BYTES_PER_LINE) * 78);
  for (let start = 0; start < length; start += BYTES_PER_LINE) {
    if (start > 0) {
      out.buf[out.pos++] = 0x0d;
      out.buf[out.pos++] = 0x0a;
    }
    out.pos += out.buf.write(input.toString('base64', start, Math.min(start + BYTES_PER_LINE, length)), out.pos, 'latin1');
  }
}
