// One mail transaction (RFC 5321 §3.3): MAIL FROM, RCPT TO for each recipient, DATA, the
// message, and the reply to its final dot. With PIPELINING the three commands go out in one
// write; the message goes out in another, and the next transaction's commands may follow it
// before its reply (RFC 2920 §3.1). A transaction refused before its message is reset (RSET)
// so the connection can carry the next one; the reply to the dot ends a transaction anyway.
import { isAscii } from 'node:buffer';
import { dataChunks, UnsendableMessageError } from './dot-stuffing';
import type { SmtpExtensions } from './extensions';
import type { SmtpReply } from './reply-reader';
import { smtpError, type SmtpError } from './smtp-error';
import type { SmtpSession } from './smtp-session';

export interface SmtpEnvelope {
  /** The return path (MAIL FROM); empty for a null sender. */
  from: string;
  /** The recipients (RCPT TO), at least one. */
  to: string[];
}

export interface SmtpSendResult {
  /** The reply to the final dot, e.g. `250 2.0.0 Ok: queued as 4Xyz`. */
  response: string;
  accepted: string[];
  /** Recipients the server refused while accepting others, with its reply. */
  rejected: { address: string; response: string; responseCode: number }[];
}

/** An error of the transaction, and whether the server may have seen any of it. */
export interface TransactionError extends SmtpError {
  /** The connection failed before the server answered a single command of this message. */
  unanswered?: boolean;
}

// Anything that could end the command line early or smuggle another command.
const UNSAFE_ADDRESS = /[\x00-\x20<>\x7f]/;
const NON_ASCII = /[^\x00-\x7f]/;

function mailFromLine(envelope: SmtpEnvelope, raw: Buffer, extensions: SmtpExtensions): string {
  let params = '';
  if (extensions.size !== null) params += ` SIZE=${raw.length}`;
  if (!isAscii(raw)) {
    if (!extensions.eightBitMime) throw new UnsendableMessageError('the message has 8-bit bytes and the server does not offer 8BITMIME');
    params += ' BODY=8BITMIME';
  }
  const addresses = [envelope.from, ...envelope.to];
  if (addresses.some((a) => NON_ASCII.test(a))) {
    if (!extensions.smtputf8) throw new UnsendableMessageError('an envelope address is not ASCII and the server does not offer SMTPUTF8');
    params += ' SMTPUTF8';
  }
  return `MAIL FROM:<${envelope.from}>${params}`;
}

function checkEnvelope(envelope: SmtpEnvelope): void {
  if (envelope.to.length === 0) throw new UnsendableMessageError('the envelope has no recipient');
  for (const address of [envelope.from, ...envelope.to]) {
    if (UNSAFE_ADDRESS.test(address)) throw new UnsendableMessageError(`envelope address ${JSON.stringify(address)} has a space, a control character or an angle bracket`);
  }
  if (envelope.to.some((a) => a === '')) throw new UnsendableMessageError('an envelope recipient is empty');
}

const refusal = (code: 'EENVELOPE' | 'EMESSAGE', what: string, command: string, reply: SmtpReply) =>
  smtpError(code, `the server refused ${what}`, { reply, command });

/**
 * Sends one message on an open session, behind any transaction still owed its last reply.
 * Calls `onDataWritten` once the message is written, before its reply. Throws a
 * TransactionError; on a refusal the session is usable again, unless it failed.
 */
export async function sendTransaction(
  session: SmtpSession,
  extensions: SmtpExtensions,
  envelope: SmtpEnvelope,
  message: Buffer | string,
  onDataWritten?: () => void,
): Promise<SmtpSendResult> {
  const raw = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  checkEnvelope(envelope);
  const mailFrom = mailFromLine(envelope, raw, extensions);
  // Stuffed before a byte is written, so a message SMTP cannot carry leaves the session clean.
  const chunks = dataChunks(raw);
  // This transaction's replies come after those still owed to the one before it.
  const othersReplies = session.repliesSeen + session.owed;
  try {
    return await transaction(session, extensions, envelope, mailFrom, chunks, onDataWritten);
  } catch (err) {
    const e = err as TransactionError;
    if (session.failure && session.repliesSeen <= othersReplies) e.unanswered = true;
    throw e;
  }
}

async function transaction(
  session: SmtpSession,
  extensions: SmtpExtensions,
  envelope: SmtpEnvelope,
  mailFrom: string,
  chunks: Buffer[],
  onDataWritten: (() => void) | undefined,
): Promise<SmtpSendResult> {
  const rcptLines = envelope.to.map((address) => `RCPT TO:<${address}>`);
  let mail: SmtpReply;
  let rcpts: SmtpReply[];
  let data: SmtpReply | null;
  if (extensions.pipelining) {
    session.write(`${mailFrom}\r\n${rcptLines.join('\r\n')}\r\nDATA\r\n`);
    const replies = await Promise.all([session.reply('MAIL FROM'), ...rcptLines.map(() => session.reply('RCPT TO')), session.reply('DATA')]);
    mail = replies[0]!;
    rcpts = replies.slice(1, -1);
    data = replies.at(-1)!;
  } else {
    mail = await session.command(mailFrom, 'MAIL FROM');
    if (mail.code !== 250) return reset(session, refusal('EENVELOPE', 'the sender', 'MAIL FROM', mail));
    rcpts = [];
    for (const line of rcptLines) rcpts.push(await session.command(line, 'RCPT TO'));
    data = rcpts.some(isAccepted) ? await session.command('DATA') : null;
  }

  const accepted = envelope.to.filter((_, i) => isAccepted(rcpts[i]!));
  let refused: SmtpError | null = null;
  if (mail.code !== 250) refused = refusal('EENVELOPE', 'the sender', 'MAIL FROM', mail);
  else if (accepted.length === 0) refused = refusal('EENVELOPE', envelope.to.length > 1 ? 'every recipient' : 'the recipient', 'RCPT TO', rcpts.find((r) => !isAccepted(r))!);
  else if (data && data.code !== 354) refused = refusal('EMESSAGE', 'DATA', 'DATA', data);
  if (refused) {
    // A server that says 354 after refusing the envelope now waits for a message we will
    // not send; this connection cannot be reset cleanly.
    if (data?.code === 354) session.fail(smtpError('EPROTOCOL', 'the server accepted DATA for a refused envelope'));
    return reset(session, refused);
  }

  session.writeAll(chunks);
  const ended = session.reply('message');
  onDataWritten?.();
  const end = await ended;
  // No RSET: the reply to the dot ends the transaction (RFC 5321 §4.1.1.4), and the next
  // one's commands may already be on the wire behind it.
  if (end.code !== 250) throw refusal('EMESSAGE', 'the message', 'message', end);
  const rejected = envelope.to.flatMap((address, i) => (isAccepted(rcpts[i]!) ? [] : [{ address, response: rcpts[i]!.text, responseCode: rcpts[i]!.code }]));
  return { response: end.text, accepted, rejected };
}

function isAccepted(reply: SmtpReply): boolean {
  return reply.code === 250 || reply.code === 251;
}

/** RSET after a refusal, then the refusal; a connection that cannot reset is dropped. */
async function reset(session: SmtpSession, refused: SmtpError): Promise<never> {
  if (!session.failure) {
    const reply = await session.command('RSET').catch(() => null);
    if (reply && reply.code !== 250) session.fail(smtpError('EPROTOCOL', 'the server refused RSET', { reply, command: 'RSET' }));
  }
  throw refused;
}
