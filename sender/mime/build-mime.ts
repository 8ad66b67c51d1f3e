// The one MIME builder of the product: a rendered message in, the complete RFC 5322 message
// out, written in one pass into a buffer the builder reuses. nodemailer's own composer
// (streams, header objects, a QP encoder built on string slices) was about 30% of send CPU.
import { randomUUID } from 'node:crypto';
import type { RenderedMessage } from '../../shared/render/render-message';
import type { TextPieces } from '../../shared/render/render-plan';
import { writeBase64Lines } from './base64-lines';
import { createByteOutput, reserve, takeBytes, writeAscii, writeUtf8 } from './byte-output';
import { checkMessage } from './check-message';
import { hashRelaxedBody, relaxLines } from './dkim-canonicalize';
import { foldHeader, givenHeader, unstructuredHeader } from './header-lines';
import { mailboxHeader } from './mailbox-header';
import { writeTextQuotedPrintable } from './quoted-printable';
import { writePiecesQuotedPrintable } from './quoted-printable-pieces';
import { transferEncodingFor, type TransferEncoding } from './transfer-encoding';

export interface MimeBuilderOptions {
  /** The clock for the Date header (default: the system clock). */
  now?: () => Date;
  /** The random part of each multipart boundary (default: a random UUID, 122 random bits). */
  randomToken?: () => string;
  /** Also hash the body in DKIM's relaxed form as it is written (MimeMessage.relaxedBodyHash), for a signer. */
  relaxedBodyHash?: boolean;
}

export interface MimeMessage {
  /** The whole message: header fields, a blank line, the body; CRLF line endings. */
  raw: Buffer;
  /**
   * Where the body starts in `raw`. DKIM hashes `raw.subarray(bodyStart)` and signs the
   * fields in `raw.subarray(0, bodyStart - 2)`, then sends its own field in front of `raw`.
   */
  bodyStart: number;
  /** SMTP envelope: the VERP return path, and the one recipient. */
  envelope: { from: string; to: string[] };
  /** SHA-256 of the body in DKIM's relaxed form, base64 (the bh= tag); when the builder was asked for it. */
  relaxedBodyHash?: string;
  /**
   * With `relaxedBodyHash`: a buffer that ends with `raw` and has room before it, where the
   * signer writes its DKIM-Signature field instead of copying the message behind one (so a
   * built message is signed once: a second signature would be written over the first).
   */
  frame?: Buffer;
}

/** Room for a DKIM-Signature field in front of a message built for signing: an RSA-4096 one takes about 1,100 bytes. */
const DKIM_FIELD_ROOM = 1536;

export type BuildMime = (message: RenderedMessage) => MimeMessage;

/** Makes a builder; each keeps its own buffers, so make one per driver, not one per message. */
export function createMimeBuilder(options: MimeBuilderOptions = {}): BuildMime {
  const now = options.now ?? (() => new Date());
  const randomToken = options.randomToken ?? randomUUID;
  const out = createByteOutput();
  // The bytes of the body being encoded, reused from message to message.
  const scratch = createByteOutput();
  // The body's relaxed form, written beside it when a signer will want its hash.
  const relaxed = options.relaxedBodyHash ? createByteOutput() : null;

  /** Appends body text that is already 7-bit (delimiters, part fields, line breaks). */
  function writeBodyAscii(text: string): void {
    const start = out.pos;
    writeAscii(out, text);
    if (relaxed) relaxLines(out.buf, start, out.pos, relaxed);
  }

  function writeBody(text: string, encoding: TransferEncoding, pieces: TextPieces | null | undefined): void {
    // Pieces of another text than this one (a caller changed the text) are not used.
    if (encoding === 'quoted-printable' && pieces?.text === text && writePiecesQuotedPrintable(out, scratch, pieces, relaxed)) return;
    const start = out.pos;
    if (encoding === 'quoted-printable') {
      writeTextQuotedPrintable(out, scratch, text);
    } else {
      reserve(scratch, text.length * 3);
      writeBase64Lines(out, scratch.buf, scratch.buf.write(text, 0, 'utf8'));
    }
    if (relaxed) relaxLines(out.buf, start, out.pos, relaxed);
  }

  /** A part of the multipart body: its delimiter, its fields, its encoded text. */
  function writePart(boundary: string, first: boolean, type: 'text/plain' | 'text/html', text: string, pieces: TextPieces | null | undefined): void {
    const encoding = transferEncodingFor(text);
    writeBodyAscii(`${first ? '' : '\r\n'}--${boundary}\r\n${partFields(type, encoding).join('\r\n')}\r\n\r\n`);
    writeBody(text, encoding, pieces);
  }

  /** The message, its body written from `bodyStart`. */
  function finish(message: RenderedMessage, bodyStart: number, recipient: string): MimeMessage {
    const envelope = envelopeOf(message, recipient);
    if (!relaxed) return { raw: takeBytes(out), bodyStart, envelope };
    const frame = takeBytes(out, DKIM_FIELD_ROOM);
    return { raw: frame.subarray(DKIM_FIELD_ROOM), bodyStart, envelope, relaxedBodyHash: hashRelaxedBody(relaxed), frame };
  }

  return function buildMime(message: RenderedMessage): MimeMessage {
    const { from, to } = checkMessage(message);
    const fields = [
      mailboxHeader('From', from),
      mailboxHeader('To', to),
      unstructuredHeader('Subject', message.subject),
      `Date: ${now().toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${message.messageIdHeader}`,
    ];
    for (const [name, value] of Object.entries(message.headers)) fields.push(givenHeader(name, value));
    fields.push('MIME-Version: 1.0');

    out.pos = 0;
    if (relaxed) relaxed.pos = 0;
    try {
      if (message.html === null) {
        const encoding = transferEncodingFor(message.text);
        fields.push(...partFields('text/plain', encoding));
        writeUtf8(out, `${fields.join('\r\n')}\r\n\r\n`);
        const bodyStart = out.pos;
        writeBody(message.text, encoding, message.bodyPieces?.text);
        // End on a line break so SMTP adds none of its own: a soft one for quoted-printable
        // (the text arrives without a newline it never had), a plain one for base64.
        if (!message.text.endsWith('\n')) writeBodyAscii(encoding === 'base64' ? '\r\n' : '=\r\n');
        return finish(message, bodyStart, to.address);
      }
      // "=_" never occurs in quoted-printable or base64 text, so no body line can be a delimiter.
      const boundary = `=_ep_${randomToken()}`;
      fields.push(foldHeader(`Content-Type: multipart/alternative; boundary="${boundary}"`).text);
      writeUtf8(out, `${fields.join('\r\n')}\r\n\r\n`);
      const bodyStart = out.pos;
      writePart(boundary, true, 'text/plain', message.text, message.bodyPieces?.text);
      writePart(boundary, false, 'text/html', message.html, message.bodyPieces?.html);
      writeBodyAscii(`\r\n--${boundary}--\r\n`);
      return finish(message, bodyStart, to.address);
    } finally {
      out.pos = 0;
    }
  };
}

function partFields(type: 'text/plain' | 'text/html', encoding: TransferEncoding): string[] {
  return [`Content-Type: ${type}; charset=utf-8`, `Content-Transfer-Encoding: ${encoding}`];
}

function envelopeOf(message: RenderedMessage, recipient: string): MimeMessage['envelope'] {
  return { from: message.envelopeFrom, to: [recipient] };
}
