// `npm run cli -- bounce classify FILE.eml [FILE...] [--json]`: what the bounce inbox makes of
// saved mails (.eml, or an mbox of several), for support work. Reads the files and nothing
// else: no database, no configuration.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { BounceReport, BounceVerdict, RecipientReport } from '../sender/bounces/bounce-report';
import { classifyBounce } from '../sender/bounces/classify-bounce';
import { UsageError, type Command, type CommandIo } from './command';

const FORMATS: Record<BounceReport['format'], string> = {
  dsn: 'delivery status notification (RFC 3464)',
  arf: 'feedback report (RFC 5965 ARF)',
  text: 'bounce in a non-standard text format',
  none: 'not a bounce report',
};

const CLASSES: Record<BounceVerdict, string> = {
  hard: 'hard bounce',
  soft: 'soft bounce',
  complaint: 'complaint',
  unsubscribe: 'unsubscribe',
  'not-bounce': 'not a bounce',
};

export const bounceCommand: Command = {
  summary: 'classify bounce mails per recipient: hard, soft, complaint, unsubscribe or not a bounce',
  usage: 'bounce classify FILE.eml [FILE...] [--json]',
  async run(args, io) {
    const [action, ...rest] = args;
    if (action !== 'classify') throw new UsageError(action ? `unknown bounce action "${action}"` : 'say what to do: classify');
    const { files, json } = parseClassifyArgs(rest);
    const contents = await readFiles(files, io);
    if (!contents) return 2;
    const results: { file: string; report: BounceReport }[] = [];
    for (const [i, file] of files.entries()) results.push({ file, report: await classifyBounce(contents[i]!) });
    if (json) io.out(JSON.stringify(results.map(({ file, report }) => ({ file, ...report })), null, 2));
    else for (const { file, report } of results) for (const line of describeReport(file, report)) io.out(line);
    return 0;
  },
};

function parseClassifyArgs(args: string[]): { files: string[]; json: boolean } {
  let parsed: { values: { json?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length === 0) throw new UsageError('name at least one mail file to classify, e.g. bounce classify returned.eml');
  return { files: parsed.positionals, json: parsed.values.json === true };
}

// Every file is read before any is classified, so a typo in the last name wastes no output.
async function readFiles(files: string[], io: CommandIo): Promise<Buffer[] | undefined> {
  const read = await Promise.allSettled(files.map((file) => readFile(file)));
  const failed = read.flatMap((result, i) => (result.status === 'rejected' ? [`Cannot read ${files[i]}: ${whyUnreadable(result.reason)}`] : []));
  if (failed.length === 0) return read.map((result) => (result as PromiseFulfilledResult<Buffer>).value);
  for (const line of failed) io.err(line);
  return undefined;
}

function whyUnreadable(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'no such file (check the path)';
  if (err.code === 'EISDIR') return 'it is a directory; name the mail files in it';
  if (err.code === 'EACCES') return 'permission denied';
  return err.message;
}

/** The report as lines a support person reads: one per recipient, the server's words under it. */
function describeReport(file: string, report: BounceReport): string[] {
  const lines = [`${file}: ${FORMATS[report.format]}${report.feedbackType ? `, Feedback-Type: ${report.feedbackType}` : ''}`];
  for (const recipient of report.recipients) {
    lines.push(`  ${printable(recipient.address || '(recipient not named)')}${finalNote(recipient)}: ${CLASSES[recipient.verdict]}${codes(recipient)}: ${printable(recipient.reason)}`);
    if (recipient.diagnostic) lines.push(`    server said: ${printable(recipient.diagnostic)}`);
  }
  const original = report.original;
  if (original) {
    const parts = [
      original.messageId && `Message-ID ${original.messageId}`,
      original.edgepostMessage && `Edgepost message ${original.edgepostMessage}`,
      original.to && `to ${original.to}`,
      original.subject && `subject "${original.subject}"`,
    ].filter(Boolean);
    lines.push(`  original message: ${printable(parts.join(', '))}`);
  }
  return lines;
}

function finalNote(recipient: RecipientReport): string {
  return recipient.finalRecipient ? ` (forwarded to ${printable(recipient.finalRecipient)})` : '';
}

function codes(recipient: RecipientReport): string {
  const known = [recipient.status, recipient.smtpCode && `SMTP ${recipient.smtpCode}`].filter(Boolean);
  return known.length > 0 ? ` (${known.join(', ')})` : '';
}

// A bounce is written by a stranger: control characters must not reach the support person's terminal.
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
