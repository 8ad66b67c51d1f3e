// Finding the codes in a server's own words: the RFC 3463 enhanced status (5.1.1) and the
// SMTP reply code (550), as they appear in diagnostics and text bounces.

// Not inside a dotted number: "192.0.2.153" holds no status, "4.16.55.1" is not "4.16.55".
const ENHANCED_STATUS = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/;
// A reply code stands alone or before "-" (multi-line replies); "#550" is Exchange's form.
const REPLY_CODE = /(?:^|[\s'"(:#<\[])([245]\d\d)(?=[\s-]|$)/;

/** The first enhanced status code in a text, e.g. `5.7.26` in "550-5.7.26 The MAIL FROM domain...". */
export function findStatus(text: string | undefined): string | undefined {
  return text?.match(ENHANCED_STATUS)?.[1];
}

/** The first SMTP reply code in a text, e.g. `550`. */
export function findReplyCode(text: string | undefined): string | undefined {
  return text?.match(REPLY_CODE)?.[1];
}

/** Where the first SMTP reply code starts, so a long explanation can be cut to the server's words. */
export function replyCodeIndex(text: string): number {
  const match = REPLY_CODE.exec(text);
  return match ? match.index + match[0].indexOf(match[1]!) : -1;
}
