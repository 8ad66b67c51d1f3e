// A file saved from a mail client is often an mbox: messages each behind a "From sender date"
// line. Support people feed such files to `bounce classify`; each message is classified alone.

// The mbox From_ line: "From MAILER-DAEMON  Thu Apr 29 23:34:45 2015" (any sender, asctime date).
const FROM_LINE = /^From \S+ +\w{3} \w{3} +\d{1,2} \d{1,2}:\d{2}(?::\d{2})? (?:.* )?\d{4}\r?$/;

/** The messages of an mbox, or the input alone when its first line is not a From_ line. */
export function splitMbox(raw: Buffer): Buffer[] {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return [raw];
  // latin1 maps every byte to one character and back, so 8-bit bodies survive the split.
  const lines = raw.toString('latin1').split('\n');
  if (!isFromLine(lines[0]!)) return [raw];
  const messages: string[][] = [];
  for (const line of lines) {
    if (isFromLine(line)) messages.push([]);
    else messages.at(-1)!.push(line);
  }
  return messages.map((message) => message.join('\n')).filter((message) => message.trim() !== '').map((message) => Buffer.from(message, 'latin1'));
}

// From_ lines are short; the bound keeps the pattern's work linear on a huge line.
function isFromLine(line: string): boolean {
  return line.length <= 200 && line.startsWith('From ') && FROM_LINE.test(line);
}
