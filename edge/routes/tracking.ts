// Open pixel and click redirect. Both answer from the signed token alone (an HMAC check, no
// database read) and record the hit after the response, inside waitUntil. HEAD is served
// by the GET handlers (Hono routes it there) and recorded with its method. Each hit is
// classified here, human or machine (docs/machine-detection.md), because only the request
// knows the client's address, which is used for that and never stored.
import { Hono, type Context } from 'hono';
import { verifyToken } from '../../shared/tokens';
import { classifyHit, isHoneypotUrl } from '../../shared/tracking/classify-hit';
import { clientAddress } from '../client-address';
import type { AppDeps } from '../deps';
import type { Hit, HitRecorder } from '../hit-recorder';

/** A 1×1 transparent GIF89a: two-colour table, pixel index 0, and index 0 marked transparent. */
export const PIXEL_GIF = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='), (ch) => ch.charCodeAt(0));

const NOT_FOUND_BODY = 'Not found: this link is not valid.';
// Each route takes its kind of token both ways: naming the message, or (anonymous tracking) the campaign.
const OPEN_KINDS = ['open', 'anonymous-open'] as const;
const CLICK_KINDS = ['click', 'anonymous-click'] as const;

function pixelResponse(): Response {
  return new Response(PIXEL_GIF, {
    headers: {
      'Content-Type': 'image/gif',
      'Content-Length': String(PIXEL_GIF.length),
      // Every load of the message must reach us; a cached pixel is an unseen open.
      'Cache-Control': 'no-store, private',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

/** The same small answer for every refused token, so a prober learns nothing about why. */
function notFound(): Response {
  return new Response(NOT_FOUND_BODY, {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
}

/**
 * The Location to send for a signed URL, or null if it is not an http(s) URL. The
 * marketer's spelling is kept when it is a valid header value; otherwise (spaces, non-ASCII)
 * the parsed form, which percent-encodes them, so the Headers API never throws on it.
 */
export function redirectTarget(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return /^[\x21-\x7e]+$/.test(url) ? url : parsed.href;
}

/** A hit on a token that names its message, or (anonymous tracking) only its campaign. */
function hitFrom(c: Context, kind: Hit['kind'], by: { messageId: number } | { campaignId: number }, url?: string): Hit {
  const userAgent = c.req.header('user-agent');
  const method = c.req.method;
  const { machine, reason } = classifyHit({ kind, method, userAgent, ip: clientAddress(c) ?? undefined, ...(url ? { url } : {}) });
  const who = 'messageId' in by ? { messageId: by.messageId } : { campaignId: by.campaignId };
  return { kind, ...who, ...(url ? { url } : {}), at: Date.now(), userAgent, method, machine, reason };
}

/** Hands the write to the host's waitUntil, so the response goes out first; a failing recorder never fails the response. */
function recordAfterResponse(c: Context, recorder: HitRecorder, hit: Hit): void {
  let recording: Promise<void>;
  try {
    recording = recorder.record(hit);
  } catch (err) {
    console.error('tracking: a hit could not be recorded', err);
    return;
  }
  try {
    c.executionCtx.waitUntil(recording);
  } catch {
    // No ExecutionContext (a bare app.request): still record, just without a keep-alive.
    recording.catch((err) => console.error('tracking: a hit could not be recorded', err));
  }
}

/** Needs only the keys that verify tokens and a recorder: the tracking Worker (edge/tracking-worker.ts) has nothing else. */
export function trackingRoutes(deps: Pick<AppDeps, 'keyring' | 'recorder'>) {
  const app = new Hono();

  // Whatever the token, the recorder or the database do, the pixel answers with the GIF.
  async function openPixel(c: Context, token: string): Promise<Response> {
    try {
      const claims = verifyToken(deps.keyring, token, OPEN_KINDS);
      if (claims) recordAfterResponse(c, deps.recorder, hitFrom(c, 'open', claims));
    } catch (err) {
      console.error('open pixel: a hit could not be recorded', err);
    }
    return pixelResponse();
  }

  app.get('/t/o/:token', function openPixelRoute(c) {
    return openPixel(c, c.req.param('token'));
  });
  // A pixel URL a mail client mangled (extra path, no token) still gets a GIF, never an error page.
  app.get('/t/o/*', function mangledPixelRoute(c) {
    return openPixel(c, '');
  });

  app.get('/t/c/:token', async function clickRedirect(c) {
    const claims = verifyToken(deps.keyring, c.req.param('token'), CLICK_KINDS);
    const url = claims?.url;
    const location = url ? redirectTarget(url) : null;
    if (!claims || !url || !location) return notFound();
    recordAfterResponse(c, deps.recorder, hitFrom(c, 'click', claims, url));
    // The hidden honeypot link leads nowhere: whatever followed it gets an empty answer.
    if (isHoneypotUrl(url)) return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
    return new Response(null, {
      status: 302,
      headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
    });
  });
  app.get('/t/c/*', function mangledClickRoute() {
    return notFound();
  });

  return app;
}
