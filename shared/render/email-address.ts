// Addresses for the From and To headers. Only what a campaign needs: one mailbox, either
// `news@shop.example` or `Shop News <news@shop.example>` (display name quoted or not).
// Names are always written back quoted, so a comma or a subscriber's `<` cannot turn one
// mailbox into two, and control characters are dropped, so no value can start a header.

export interface Mailbox {
  /** Display name, possibly empty. */
  name: string;
  address: string;
  /** Lower-cased domain of the address. */
  domain: string;
}

export type ParsedMailbox = { ok: true; mailbox: Mailbox } | { ok: false; reason: string };

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDRESS = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@((?:${LABEL}\\.)+${LABEL})$`);
const WITH_NAME = /^(.*?)\s*<([^<>]*)>$/s;
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** Parses a campaign's from address; the reason says what to fix. */
export function parseMailbox(value: string): ParsedMailbox {
  const text = value.trim();
  if (!text) return { ok: false, reason: 'the from address is empty: give one like "Shop <news@shop.example>"' };
  if (CONTROL.test(text)) return { ok: false, reason: 'the from address must be one line, without control characters' };
  const named = WITH_NAME.exec(text);
  const address = (named ? named[2]! : text).trim();
  const name = named ? unquote(named[1]!.trim()) : '';
  if (name === null) return { ok: false, reason: 'the display name opens a quote it does not close' };
  const match = ADDRESS.exec(address);
  if (!match) {
    return { ok: false, reason: `"${address}" is not an email address: write news@shop.example or Shop <news@shop.example>` };
  }
  return { ok: true, mailbox: { name, address, domain: match[1]!.toLowerCase() } };
}

/** A mailbox as a header value: `"Name" <address>`, or the bare address when there is no name. */
export function formatMailbox(name: string, address: string): string {
  const cleanName = name.replace(new RegExp(CONTROL, 'g'), ' ').replace(/\s+/g, ' ').trim();
  return cleanName ? `"${cleanName.replace(/[\\"]/g, '\\$&')}" <${address}>` : address;
}

/** Whether a stored subscriber address is safe to put in a header and an SMTP envelope. */
export function isDeliverableAddress(address: string): boolean {
  return /^[^\s<>(),;:"@\\]+@[^\s<>(),;:"@\\]+$/.test(address);
}

function unquote(name: string): string | null {
  if (!name.startsWith('"')) return name;
  if (name.length < 2 || !name.endsWith('"') || name.endsWith('\\"')) return null;
  return name.slice(1, -1).replace(/\\(.)/g, '$1');
}
