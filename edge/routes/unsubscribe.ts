// Unsubscribe: GET shows a confirmation page and changes nothing (mail scanners fetch every
// link they see); POST unsubscribes, whether it is an RFC 8058 one-click POST from the mail
// provider (`List-Unsubscribe=One-Click`) or our confirmation form.
//
// CSRF: the POST needs no session and no CSRF token. The signed token in its URL is the
// whole authority (only the recipient's own message holds it), and unsubscribing is what
// that token is for, so a cross-site POST can do nothing its holder could not.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { unsubscribeByMessage, type UnsubscribeSource } from '../../shared/queries/events';
import { TEST_MESSAGE_ID } from '../../shared/queries/test-sends';
import { verifyToken } from '../../shared/tokens';
import type { AppDeps } from '../deps';
import { UNSUBSCRIBE_PAGE_HEADERS, unsubscribePage, type UnsubscribePageKind } from './unsubscribe-page';

/** A one-click body is 26 bytes and our form's is smaller; anything near this is not for us. */
const MAX_BODY_BYTES = 16 * 1024;

function page(kind: UnsubscribePageKind, status: 200 | 404 | 503 = 200): Response {
  const headers: Record<string, string> = { ...UNSUBSCRIBE_PAGE_HEADERS };
  if (status === 503) headers['Retry-After'] = '60';
  return new Response(unsubscribePage(kind), { status, headers });
}

/** Tells a one-click POST from our form; an unreadable body is not a reason to refuse. */
async function sourceOf(c: Context): Promise<UnsubscribeSource> {
  try {
    const body = await c.req.parseBody();
    return body['List-Unsubscribe'] === 'One-Click' ? 'one-click' : 'form';
  } catch {
    return 'form';
  }
}

export function unsubscribeRoutes(deps: AppDeps) {
  const app = new OpenAPIHono();
  documentUnsubscribeRoutes(app);

  app.get('/u/:token', async function unsubscribeConfirmation(c) {
    const claims = verifyToken(deps.keyring, c.req.param('token'), 'unsubscribe');
    return claims ? page('confirm') : page('invalid', 404);
  });

  app.post(
    '/u/:token',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => new Response('Request body too large.', { status: 413 }) }),
    async function unsubscribe(c) {
      const claims = verifyToken(deps.keyring, c.req.param('token'), 'unsubscribe');
      if (!claims) return page('invalid', 404);
      if (claims.messageId === TEST_MESSAGE_ID) return page('test');
      const source = await sourceOf(c);
      try {
        // Done before answering: when the page says "unsubscribed", the row already says so.
        const result = await unsubscribeByMessage(deps.db, claims.messageId, source, {
          userAgent: c.req.header('user-agent'),
          method: 'POST',
        });
        return result.found ? page('done') : page('gone', 404);
      } catch (err) {
        // A person (or a provider that retries) reads this answer: a page, not the API's JSON error.
        console.error('unsubscribe: could not be written', err instanceof Error ? err.message : err);
        return page('error', 503);
      }
    },
  );

  return app;
}

/** Documents the routes without zod validation, so a bad token gets the page, not a JSON 400. */
function documentUnsubscribeRoutes(app: OpenAPIHono): void {
  const params = z.object({ token: z.string().openapi({ description: 'Signed unsubscribe token from the message' }) });
  const html = { 'text/html': { schema: z.string() } };
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/u/{token}',
    summary: 'Unsubscribe confirmation page; changes nothing',
    security: [],
    request: { params },
    responses: { 200: { description: 'Page with a confirmation form', content: html }, 404: { description: 'Token not valid', content: html } },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/u/{token}',
    summary: 'Unsubscribe (RFC 8058 one-click, or the confirmation form); idempotent',
    security: [],
    request: {
      params,
      body: {
        required: false,
        content: { 'application/x-www-form-urlencoded': { schema: z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() }) } },
      },
    },
    responses: {
      200: { description: 'Unsubscribed (also when repeated)', content: html },
      404: { description: 'Token not valid, or its message no longer exists', content: html },
      503: { description: 'Not written; try again', content: html },
    },
  });
}
