// The one place that decides how a body travels: quoted-printable keeps mostly Latin text
// readable and small; base64 is smaller for text that is mostly something else (CJK,
// Cyrillic, Arabic…), where quoted-printable would triple every byte.

export type TransferEncoding = 'quoted-printable' | 'base64';

/** Characters looked at in each of the windows spread over a long body. */
const WINDOW = 512;
const WINDOWS = 4;

/**
 * Quoted-printable for mostly Latin text, base64 otherwise: nodemailer's own rule (Latin
 * letters against everything else), judged from four windows spread over the body rather
 * than a scan of all of it (that scan was 20% of send CPU). Windows, not only the start:
 * an HTML body opens with ASCII markup and CSS whatever language its text is in.
 */
export function transferEncodingFor(text: string): TransferEncoding {
  const counts = { latin: 0, other: 0 };
  if (text.length <= WINDOW * WINDOWS) {
    count(text, 0, text.length, counts);
  } else {
    const stride = Math.floor((text.length - WINDOW) / (WINDOWS - 1));
    for (let k = 0; k < WINDOWS; k++) count(text, k * stride, k * stride + WINDOW, counts);
  }
  // Text with nothing to escape is never smaller in base64, however few letters it has.
  return counts.other === 0 || counts.other < counts.latin ? 'quoted-printable' : 'base64';
}

// Called through the prototype: texts reach this in several of V8's string representations,
// and `text.charCodeAt` saw so many that V8 looked the method up at every character (39 µs a
// call in the send pipeline against 8 µs this way, same text).
const charCodeAt = String.prototype.charCodeAt;

function count(text: string, start: number, end: number, counts: { latin: number; other: number }): void {
  for (let i = start; i < end; i++) {
    const code = charCodeAt.call(text, i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) counts.latin++;
    else if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) counts.other++;
  }
}
