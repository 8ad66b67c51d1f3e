// Errors of the SMTP client, shaped as sender/send-error.ts reads them: a `code` from the
// registry, and the server's own reply (`responseCode`, `response`) when there was one.
import type { ErrorCode } from '../../shared/errors';
import type { SmtpReply } from './reply-reader';

/** Codes of the registry (shared/errors.ts), and EPROTOCOL (a server that does not speak SMTP), which send-error.ts retries as a connection failure. */
export type SmtpErrorCode = Extract<ErrorCode, 'ECONNECTION' | 'ETIMEDOUT' | 'EAUTH' | 'EENVELOPE' | 'EMESSAGE' | 'ETLS'> | 'EPROTOCOL';

export interface SmtpError extends Error {
  code: SmtpErrorCode;
  /** The reply code, when the server answered. */
  responseCode?: number;
  /** The whole reply, when the server answered, e.g. `550 5.1.1 No such user`. */
  response?: string;
  /** The command the reply or failure belongs to, e.g. `RCPT TO`; never with its secrets. */
  command?: string;
}

/** An SMTP error; with a reply, the message quotes it. */
export function smtpError(code: SmtpErrorCode, message: string, details: { reply?: SmtpReply; command?: string } = {}): SmtpError {
  const { reply, command } = details;
  const err = new Error(reply ? `${message}: ${reply.text}` : message) as SmtpError;
  err.code = code;
  if (reply) {
    err.responseCode = reply.code;
    err.response = reply.text;
  }
  if (command) err.command = command;
  return err;
}

/** Whether the server refused the request at hand (5xx, 4xx) rather than failing to answer. */
export function isReplyError(err: unknown): err is SmtpError & { responseCode: number } {
  return typeof (err as SmtpError | null)?.responseCode === 'number';
}
