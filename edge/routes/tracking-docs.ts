// The OpenAPI description of the open pixel and click redirect.
import { OpenAPIHono, z } from '@hono/zod-openapi';

/**
 * Documents the tracking routes (edge/routes/tracking.ts) in the app's OpenAPI registry. Kept
 * apart from them: they validate no input with zod (a JSON 400 would break the pixel's
 * promise), and the tracking Worker, which serves them alone, bundles neither zod nor this.
 */
export function documentTrackingRoutes(app: OpenAPIHono): void {
  const params = z.object({ token: z.string().openapi({ description: 'Signed token from the message' }) });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/t/o/{token}',
    summary: 'Open pixel (also HEAD): always a 1×1 GIF; a genuine token records an open',
    security: [],
    request: { params },
    responses: { 200: { description: '43-byte transparent GIF', content: { 'image/gif': { schema: z.string().openapi({ format: 'binary' }) } } } },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/t/c/{token}',
    summary: 'Click redirect (also HEAD): 302 to the signed URL and records a click',
    security: [],
    request: { params },
    responses: {
      204: { description: 'The hidden honeypot link (docs/machine-detection.md): recorded as a machine click, no redirect' },
      302: { description: 'Redirect to the URL signed into the token' },
      404: { description: 'Tampered, truncated, wrong-kind or unknown-key token', content: { 'text/plain': { schema: z.string() } } },
    },
  });
}
