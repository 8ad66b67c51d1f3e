// One function decides what the queue does with a failed send: retry later, slow the
// server down, give up on the message, or stop the campaign because no message can go
// through this server as it is set up. Drivers throw; only this file interprets.
import type { ErrorCode } from '../shared/errors';

export type SendOutcome = 'retry' | 'rate_limited' | 'permanent' | 'halt';

/** Thrown by drivers. SMTP drivers also let sender/smtp's errors through (same `code`, `responseCode`, `response`). */
export class SendError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The relay's numeric reply, when there was one. */
    readonly responseCode?: number,
    /** Whether `responseCode` is an SMTP reply or an HTTP status. */
    readonly protocol: 'smtp' | 'http' = 'smtp',
    /** How long the relay asked us to wait, when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface ClassifiedError {
  outcome: SendOutcome;
  code: ErrorCode;
  /** What to show the marketer: the relay's own words where there are some. */
  message: string;
  retryAfterMs?: number;
}

// SMTP replies that say "too much, too fast" when their text says so (RFC 3463 4.7.x etc.).
const SMTP_THROTTLE_CODES = new Set([421, 450, 451, 452, 454]);
const THROTTLE_WORDS = /rate|too many|throttl|slow down|exceeded/i;

interface ErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  protocol?: unknown;
  retryAfterMs?: unknown;
}

/** Classifies anything a driver threw: a SendError, an SMTP client error, or a plain Error. */
export function classifySendError(err: unknown): ClassifiedError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = String(e.response ?? e.message ?? 'unknown error').slice(0, 1000);
  const known = typeof e.code === 'string' && e.code in CODE_NAMES ? (e.code as ErrorCode) : undefined;
  const retryAfter = typeof e.retryAfterMs === 'number' ? { retryAfterMs: e.retryAfterMs } : {};

  // The template failed for this recipient (a render limit, a Liquid error), or the message
  // cannot be built (the MIME builder refuses a header): trying again builds the same.
  if (e.code === 'INVALID_TEMPLATE') return { outcome: 'permanent', code: 'INVALID_TEMPLATE', message };
  if (err instanceof TypeError) return { outcome: 'permanent', code: 'EMESSAGE', message };
  // Refused credentials or unusable settings fail every message alike: halt, and let the
  // marketer fix the server and resume, rather than burn each message's attempts.
  if (known === 'EAUTH' || known === 'ECONFIG') return { outcome: 'halt', code: known, message };
  // A certificate that does not verify, or no STARTTLS where the settings require it, fails
  // every message alike too; a TLS refusal with a reply code (454: not available now) does not.
  if (known === 'ETLS' && status === undefined) return { outcome: 'halt', code: known, message };
  if (status !== undefined && e.protocol === 'http') {
    if (status === 401 || status === 403) return { outcome: 'halt', code: 'EAUTH', message };
    if (status === 429) return { outcome: 'rate_limited', code: 'ERATELIMIT', message, ...retryAfter };
    if (status === 408 || status >= 500) return { outcome: 'retry', code: known ?? 'ECONNECTION', message, ...retryAfter };
    return { outcome: 'permanent', code: known ?? 'EMESSAGE', message };
  }
  if (status !== undefined) {
    if (SMTP_THROTTLE_CODES.has(status) && THROTTLE_WORDS.test(message)) {
      return { outcome: 'rate_limited', code: 'ERATELIMIT', message, ...retryAfter };
    }
    if (status >= 400 && status < 500) return { outcome: 'retry', code: known ?? 'EMESSAGE', message };
    if (status >= 500) return { outcome: 'permanent', code: known ?? 'EMESSAGE', message };
  }
  // No reply code: the connection failed, timed out or dropped. Worth retrying: the
  // message itself was not judged.
  if (e.code === 'ETIMEDOUT') return { outcome: 'retry', code: 'ETIMEDOUT', message };
  return { outcome: 'retry', code: 'ECONNECTION', message };
}

const CODE_NAMES: Partial<Record<string, true>> = {
  ECONNECTION: true,
  ETIMEDOUT: true,
  EAUTH: true,
  EENVELOPE: true,
  EMESSAGE: true,
  ERATELIMIT: true,
  ECONFIG: true,
  ETLS: true,
};
