// DKIM signing (RFC 6376) of the raw MIME buildMime makes: rsa-sha256, or ed25519-sha256
// (RFC 8463), relaxed/relaxed, the whole body hashed (no l=, so nothing can be appended).
// The key is a KeyObject parsed once; each message costs one signature, and the body's hash
// (buildMime writes the relaxed body as it builds, or the signer makes it from the bytes).
// An RSA signature runs on libuv's thread pool: RSA-2048 is the largest single cost of a
// send, and there it uses another core instead of the event loop. An Ed25519 one (~30 µs)
// costs less than the hand-off, so it stays on the event loop.
import { createHash, sign as signData, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { MimeMessage } from './build-mime';
import { createByteOutput } from './byte-output';
import { hashRelaxedBody, relaxedHeader, relaxLines, splitHeaderFields } from './dkim-canonicalize';
import { checkDkimKey } from './dkim-key';

/**
 * The fields signed when present. List-Unsubscribe-Post must be signed for one-click
 * unsubscribe to count (RFC 8058 §4); the rest are what a forger would want to change.
 */
export const DEFAULT_SIGNED_FIELDS = [
  'From',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'MIME-Version',
  'Content-Type',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
] as const;

export interface DkimSignerOptions {
  /** The signing domain, the d= tag: the public key is at `<keySelector>._domainkey.<domainName>`. */
  domainName: string;
  /** The selector, the s= tag. */
  keySelector: string;
  /** An RSA (≥ 1024 bits, 2048 advised) or Ed25519 private key, parsed once by the caller. */
  privateKey: KeyObject;
  /** Fields to sign when present (default DEFAULT_SIGNED_FIELDS); From is always signed, and once more. */
  headerFieldNames?: readonly string[];
  /** The clock for t= (default: the system clock). */
  now?: () => number;
}

/**
 * Resolves to the message with a DKIM-Signature field in front. `relaxedBodyHash` is the
 * body's hash when the builder made it; without it the body is canonicalised and hashed here.
 * With a `frame` that has room, the field is written into it in front of `raw`, and the
 * message is not copied.
 */
export type DkimSign = (message: Pick<MimeMessage, 'raw' | 'bodyStart' | 'relaxedBodyHash' | 'frame'>) => Promise<Buffer>;

const signOffThread = promisify(signData);

// RFC 1035 labels; selectors may have dots too (RFC 6376 §3.1).
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const SELECTOR = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Makes a signer for one domain, selector and key; make one per driver, not one per message. */
export function createDkimSigner(options: DkimSignerOptions): { sign: DkimSign; algorithm: string } {
  const { domainName, keySelector, privateKey } = options;
  if (typeof domainName !== 'string' || !DOMAIN.test(domainName)) {
    throw new TypeError(`dkim.domainName must be a domain name such as example.com, got ${JSON.stringify(domainName)}`);
  }
  if (typeof keySelector !== 'string' || !SELECTOR.test(keySelector)) {
    throw new TypeError(`dkim.keySelector must be letters, digits, hyphens and dots (e.g. "ep1"), got ${JSON.stringify(keySelector)}`);
  }
  const keyCheck = checkDkimKey(privateKey);
  if (!keyCheck.ok) throw new TypeError(`dkim.privateKey: ${keyCheck.message}`);
  const ed25519 = privateKey.asymmetricKeyType === 'ed25519';
  const algorithm = ed25519 ? 'ed25519-sha256' : 'rsa-sha256';

  const names = signedNames(options.headerFieldNames ?? DEFAULT_SIGNED_FIELDS);
  const now = options.now ?? Date.now;
  const scratch = createByteOutput();
  const fixedTags = `v=1; a=${algorithm}; c=relaxed/relaxed;\r\n d=${domainName}; s=${keySelector};`;

  async function sign({ raw, bodyStart, relaxedBodyHash, frame }: Parameters<DkimSign>[0]): Promise<Buffer> {
    if (bodyStart < 4 || bodyStart > raw.length || raw.toString('latin1', bodyStart - 4, bodyStart) !== '\r\n\r\n') {
      throw new TypeError('bodyStart must point just past the blank line that ends the header block');
    }
    const bodyHash = relaxedBodyHash ?? relaxedHashOf(raw, bodyStart);

    // The last instance of a field is signed first (RFC 6376 §5.4.2), so group by name from the bottom.
    const byName = new Map<string, string[]>();
    for (const field of splitHeaderFields(raw.toString('latin1', 0, bodyStart - 2))) {
      const name = field.slice(0, field.indexOf(':')).trim().toLowerCase();
      if (names.has(name)) byName.set(name, [field, ...(byName.get(name) ?? [])]);
    }
    const signedFields: string[] = [];
    const h: string[] = [];
    for (const [name, fields] of byName) {
      for (const field of fields) {
        signedFields.push(`${relaxedHeader(field)}\r\n`);
        h.push(name);
      }
    }
    // One more "from" than there are From fields: a From added in transit breaks the signature.
    h.push('from');

    const timestamp = Math.floor(now() / 1000);
    const unsigned = `DKIM-Signature: ${fixedTags} t=${timestamp};\r\n h=${foldList(h)};\r\n bh=${bodyHash};\r\n b=`;
    const signedText = `${signedFields.join('')}${relaxedHeader(unsigned)}`;
    const data = Buffer.from(signedText, 'latin1');
    // Ed25519 signs the SHA-256 of the data (RFC 8463 §3); RSA hashes it as part of PKCS#1 v1.5.
    const signature = ed25519 ? signData(null, createHash('sha256').update(data).digest(), privateKey) : await signOffThread('sha256', data, privateKey);
    const field = `${unsigned}${foldBase64(signature.toString('base64'))}\r\n`;
    const room = frame ? roomBefore(frame, raw) : 0;
    if (room >= field.length) {
      const framed = frame!.subarray(room - field.length);
      framed.write(field, 0, 'latin1');
      return framed;
    }
    const signed = Buffer.allocUnsafe(field.length + raw.length);
    signed.write(field, 0, 'latin1');
    raw.copy(signed, field.length);
    return signed;
  }

  function relaxedHashOf(raw: Buffer, bodyStart: number): string {
    scratch.pos = 0;
    relaxLines(raw, bodyStart, raw.length, scratch);
    return hashRelaxedBody(scratch);
  }

  return { sign, algorithm };
}

/** The bytes of `frame` before `raw`, when `raw` is its end; else 0. */
function roomBefore(frame: Buffer, raw: Buffer): number {
  const endsWithRaw = frame.buffer === raw.buffer && frame.byteOffset + frame.length === raw.byteOffset + raw.length;
  return endsWithRaw ? frame.length - raw.length : 0;
}

/** The lower-cased set of names to sign, From always among them. */
function signedNames(fieldNames: readonly string[]): Set<string> {
  for (const name of fieldNames) {
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) throw new TypeError(`headerFieldNames has an invalid field name ${JSON.stringify(name)}`);
    if (name.toLowerCase() === 'dkim-signature') throw new TypeError('headerFieldNames must not list DKIM-Signature: a signature cannot sign itself');
  }
  return new Set(['from', ...fieldNames.map((n) => n.toLowerCase())]);
}

/** The h= names, folded so no line passes 78 characters (FWS is allowed around the colons). */
function foldList(names: string[]): string {
  let text = '';
  let lineLength = 3; // " h="
  for (const [i, name] of names.entries()) {
    const piece = i === 0 ? name : `:${name}`;
    if (lineLength + piece.length > 76) {
      text += '\r\n  ';
      lineLength = 2;
    }
    text += piece;
    lineLength += piece.length;
  }
  return text;
}

/** The b= value in lines of 72 characters: verifiers drop whitespace inside it. */
function foldBase64(value: string): string {
  let text = value.slice(0, 72);
  for (let i = 72; i < value.length; i += 72) text += `\r\n  ${value.slice(i, i + 72)}`;
  return text;
}
