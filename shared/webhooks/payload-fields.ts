// Readers for the fields every relay's payload carries in its own spelling: our message id
// echoed back, the remote server's status code. One definition, so relays agree.

/** Our `messages.id` as a driver set it (a custom arg, tag, metadata or postback), or undefined for anything else. */
export function messageIdOf(value: unknown): number | undefined {
  const digits = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (digits === undefined || !/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
  const id = Number(digits);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** The first RFC 3463 status code in the remote server's words, e.g. `5.1.1`. */
export function enhancedStatus(words: string): string | undefined {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(words)?.[1];
}

/** `Name <a@b>` or `a@b`, as the bare address in lower case. */
export function bareAddress(text: string): string {
  const bracketed = /<([^<>]*)>/.exec(text)?.[1];
  return (bracketed ?? text).trim().toLowerCase();
}
