// One POST of a signed webhook to a marketer's endpoint, turned into what the delivery
// records: 2xx is delivered; anything else (a status, a timeout, a refused connection) is a
// failed attempt, with the start of the answer kept so the marketer can see why.
import { retryAfterMs } from './retry-delay';

/** How much of an endpoint's answer is kept. */
export const RESPONSE_KEEP_BYTES = 1024;

/** How endpoints are called: global fetch, or the sender's public-network-only fetch. */
export type EndpointFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface EndpointRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface EndpointAnswer {
  delivered: boolean;
  /** The HTTP status, when the endpoint answered. */
  httpStatus: number | null;
  /** The first RESPONSE_KEEP_BYTES of its body, as text. */
  response: string | null;
  /** Why it failed, in words; null when delivered. */
  error: string | null;
  /** 410 Gone: the receiver asks never to be called again (Standard Webhooks). */
  gone: boolean;
  /** The wait its Retry-After header asks for. */
  retryAfterMs: number | null;
}

/** Reads at most `limit` bytes of a body and lets go of the rest. */
async function readStart(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  if (size >= limit) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  // Decoding bytes (not slicing text) never leaves a lone surrogate, which libSQL cannot store.
  return new TextDecoder().decode(bytes.subarray(0, limit));
}

function failureText(status: number): string {
  if (status === 410) return 'the endpoint answered 410 Gone, so it was disabled; enable it again with PATCH active: true';
  if (status >= 300 && status < 400) return `the endpoint answered ${status}: redirects are not followed, so set the URL it redirects to`;
  return `the endpoint answered ${status}; only a 2xx answer counts as delivered`;
}

/** Why no answer came, from fetch's error (undici keeps the socket error as `cause`). */
function networkText(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error.cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? error.message}`;
  // The Fetch standard blocks a list of ports (SMTP's 25, IRC's 6667...) whatever the host.
  if (cause?.message === 'bad port') return 'the URL names a port that HTTP clients refuse to call (e.g. 25 or 6667); use another port';
  return cause?.message ?? error.message;
}

/** POSTs the request with a timeout covering the whole exchange; never throws. */
export async function callEndpoint(fetchFn: EndpointFetch, request: EndpointRequest, timeoutMs: number): Promise<EndpointAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchFn(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal });
    const delivered = response.status >= 200 && response.status < 300;
    const text = await readStart(response, RESPONSE_KEEP_BYTES).catch(() => '');
    return {
      delivered,
      httpStatus: response.status,
      response: text === '' ? null : text,
      error: delivered ? null : failureText(response.status),
      gone: response.status === 410,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()),
    };
  } catch (err) {
    return { delivered: false, httpStatus: null, response: null, error: networkText(err, timeoutMs), gone: false, retryAfterMs: null };
  }
}
