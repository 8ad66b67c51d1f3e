// A growable byte buffer that one builder reuses for every message it builds: the MIME is
// written into it in one pass and copied out once, so a 50 KB message costs one allocation
// of its own size instead of a string per line and a Buffer per part.

export interface ByteOutput {
  buf: Buffer;
  /** Bytes written so far. */
  pos: number;
}

export function createByteOutput(initialSize = 64 * 1024): ByteOutput {
  return { buf: Buffer.allocUnsafe(initialSize), pos: 0 };
}

/** Makes room for `bytes` more bytes after `pos`, keeping what was written. */
export function reserve(out: ByteOutput, bytes: number): void {
  const needed = out.pos + bytes;
  if (needed <= out.buf.length) return;
  const grown = Buffer.allocUnsafe(Math.max(needed, out.buf.length * 2));
  out.buf.copy(grown, 0, 0, out.pos);
  out.buf = grown;
}

/** Appends a string of 7-bit characters (header lines, boundaries, encoded text). */
export function writeAscii(out: ByteOutput, text: string): void {
  reserve(out, text.length);
  out.pos += out.buf.write(text, out.pos, 'latin1');
}

/** Appends bytes as they are. */
export function writeBytes(out: ByteOutput, bytes: Uint8Array): void {
  reserve(out, bytes.length);
  out.buf.set(bytes, out.pos);
  out.pos += bytes.length;
}

/** Appends a string as UTF-8 (header text that is allowed to hold it, such as an SMTPUTF8 address). */
export function writeUtf8(out: ByteOutput, text: string): void {
  reserve(out, text.length * 3);
  out.pos += out.buf.write(text, out.pos, 'utf8');
}

/**
 * A copy of what was written, after `headroom` bytes left free for the caller: the output
 * buffer is reused by the next message.
 */
export function takeBytes(out: ByteOutput, headroom = 0): Buffer {
  const bytes = Buffer.allocUnsafe(headroom + out.pos);
  out.buf.copy(bytes, headroom, 0, out.pos);
  out.pos = 0;
  return bytes;
}
