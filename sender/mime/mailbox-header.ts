// From and To: one mailbox each, read from the form the renderer writes (`"Name" <address>`
// or a bare address, shared/render/email-address.ts) and written back per RFC 5322 §3.4:
// the name quoted, or as encoded-words when it is not plain ASCII; the address as a
// dot-atom or quoted local part, its domain in punycode.
import { domainToASCII } from 'node:url';
import { encodeWords, needsEncodedWords } from './encoded-words';
import { foldHeader, LINE_LIMIT } from './header-lines';

export interface HeaderMailbox {
  /** Display name, possibly empty. */
  name: string;
  /** The address as it goes into the header and the SMTP envelope. */
  address: string;
}

const NAMED = /^\s*(?:"((?:[^"\\]|\\[\s\S])*)"|([^"<>]*?))\s*<([^<>]*)>\s*$/;
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Reads `field` (`message.from`, `message.to`) as one mailbox; the error names the field. */
export function parseHeaderMailbox(value: unknown, field: string): HeaderMailbox {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string like "Name" <name@example.com>`);
  const named = NAMED.exec(value);
  const name = named ? (named[1] !== undefined ? named[1].replace(/\\([\s\S])/g, '$1') : named[2]!) : '';
  const address = (named ? named[3]! : value).trim();
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1 || /[\s<>]/.test(address) || CONTROL.test(address) || /[(),;:"\\]/.test(address.slice(at + 1))) {
    throw new TypeError(`${field} is not one mailbox: ${JSON.stringify(value)} (write name@example.com or "Name" <name@example.com>)`);
  }
  if (CONTROL.test(name)) throw new TypeError(`${field} has a control character in its display name`);
  return { name: name.replace(/\s+/g, ' ').trim(), address: normalizeAddress(address.slice(0, at), address.slice(at + 1), field) };
}

/** `Name: "Display" <address>`, folded; the name as encoded-words when it needs them or would not fit a line. */
export function mailboxHeader(header: string, { name, address }: HeaderMailbox): string {
  if (!name) return foldHeader(`${header}: ${address}`).text;
  if (!needsEncodedWords(name)) {
    const quoted = foldHeader(`${header}: "${name.replace(/[\\"]/g, '\\$&')}" <${address}>`, true);
    if (quoted.longest <= LINE_LIMIT) return quoted.text;
  }
  return foldHeader(`${header}: ${encodeWords(name, LINE_LIMIT - header.length - 2).join(' ')} <${address}>`).text;
}

/**
 * A local part that is not a dot-atom goes out quoted (`"a..b"@x`), so no character of it can
 * read as a separator; a non-ASCII domain goes out in punycode. A non-ASCII local part
 * stays as it is: only SMTPUTF8 can carry it, and no encoding would deliver it elsewhere.
 */
function normalizeAddress(local: string, domain: string, field: string): string {
  const quotedLocal = /^"(?:[^"\\]|\\.)*"$/.test(local);
  const localPart = DOT_ATOM.test(local) || quotedLocal ? local : `"${local.replace(/[\\"]/g, '\\$&')}"`;
  let asciiDomain = domain;
  if (/[^\x20-\x7e]/.test(domain)) {
    asciiDomain = domainToASCII(domain);
    if (!asciiDomain) throw new TypeError(`${field} has a domain that is not a valid internationalised domain name: ${JSON.stringify(domain)}`);
  }
  return `${localPart}@${asciiDomain}`;
}
