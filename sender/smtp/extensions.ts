// What a server offers in its EHLO reply (RFC 5321 §4.1.1.1): the extensions the client
// uses or must check before it relies on them.
import type { SmtpReply } from './reply-reader';

export interface SmtpExtensions {
  pipelining: boolean;
  starttls: boolean;
  /** SASL mechanisms after AUTH, upper case, e.g. `PLAIN`, `LOGIN`, `XOAUTH2`. */
  auth: Set<string>;
  /** The SIZE keyword: null when not offered, 0 when offered without a limit. */
  size: number | null;
  eightBitMime: boolean;
  smtputf8: boolean;
}

/** Nothing offered: the state after HELO, or before EHLO. */
export function noExtensions(): SmtpExtensions {
  return { pipelining: false, starttls: false, auth: new Set(), size: null, eightBitMime: false, smtputf8: false };
}

/** Reads the extension lines of a 250 EHLO reply (the first line is the greeting). */
export function parseExtensions(reply: SmtpReply): SmtpExtensions {
  const found = noExtensions();
  for (const line of reply.lines.slice(1)) {
    // Some old servers write `AUTH=LOGIN PLAIN`.
    const [keyword = '', ...params] = line.trim().replace(/^AUTH=/i, 'AUTH ').split(/\s+/);
    switch (keyword.toUpperCase()) {
      case 'PIPELINING':
        found.pipelining = true;
        break;
      case 'STARTTLS':
        found.starttls = true;
        break;
      case 'AUTH':
        for (const mechanism of params) found.auth.add(mechanism.toUpperCase());
        break;
      case 'SIZE':
        found.size = Number(params[0] ?? 0) || 0;
        break;
      case '8BITMIME':
        found.eightBitMime = true;
        break;
      case 'SMTPUTF8':
        found.smtputf8 = true;
        break;
    }
  }
  return found;
}
