// What every HTTP API driver does around fetch: a deadline on each request, the two ways a
// request can fail before any answer (no connection, no answer in time) turned into the
// SendErrors the queue retries, and the relay's Retry-After read as a wait in milliseconds.
import { SendError } from '../send-error';

/** What an HTTP driver can be given besides its settings (tests use both). */
export interface HttpDriverDeps {
  /** The HTTP client (default: the global fetch). */
  fetch?: typeof fetch;
  /** How long one request may take before it counts as a retryable timeout (default 30 s). */
  timeoutMs?: number;
}

/** One request with a deadline; a timeout throws SendError ETIMEDOUT, any other fetch failure ECONNECTION. */
export async function fetchWithDeadline(
  doFetch: typeof fetch,
  input: string | URL | Request,
  // The deadline owns the signal: a second one would make a timeout look like a cancel.
  init: Omit<RequestInit, 'signal'>,
  provider: string,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await doFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    // Both happen before the relay judged the message, so both are worth another try.
    const e = err as { name?: unknown; message?: unknown; cause?: { message?: unknown } };
    const where = originOf(input);
    if (e.name === 'TimeoutError') throw new SendError('ETIMEDOUT', `${provider} (${where}) did not answer within ${timeoutMs} ms`, undefined, 'http');
    // fetch fails with a TypeError whose cause holds the socket's words (ECONNREFUSED, ENOTFOUND).
    const reason = e.cause?.message ?? e.message ?? err;
    throw new SendError('ECONNECTION', `could not reach ${provider} at ${where}: ${String(reason)}`, undefined, 'http');
  }
}

/** Retry-After (delay-seconds or an HTTP date) as milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  // RFC 9110 says whole seconds; a fraction is read too, rather than as a date by Date.parse.
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  // A date already past means "now", not a negative wait.
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function originOf(input: string | URL | Request): string {
  const url = input instanceof Request ? input.url : String(input);
  return URL.canParse(url) ? new URL(url).origin : url;
}
