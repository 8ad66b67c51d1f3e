// The one Hono app both hosts serve. Web-standard APIs only: it runs in workerd and on Node.
import { OpenAPIHono } from '@hono/zod-openapi';
import { handleError } from './api-error';
import { requireApiKey } from './auth';
import type { AppDeps } from './deps';
import { validationHook } from './validation-hook';
import { campaignsRoutes } from './routes/campaigns';
import { capturedMessagesRoutes } from './routes/captured-messages';
import { healthRoutes } from './routes/health';
import { listsRoutes } from './routes/lists';
import { sendingServerChecksRoutes } from './routes/sending-server-checks';
import { sendingServersRoutes } from './routes/sending-servers';
import { subscribersRoutes } from './routes/subscribers';
import { trackingRoutes } from './routes/tracking';
import { unsubscribeRoutes } from './routes/unsubscribe';

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(handleError);

  app.route('/', healthRoutes());
  app.route('/', trackingRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));

  const api = new OpenAPIHono({ defaultHook: validationHook });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  api.use('*', requireApiKey(deps.db));
  api.route('/', listsRoutes(deps));
  api.route('/', subscribersRoutes(deps));
  api.route('/', sendingServersRoutes(deps));
  api.route('/', sendingServerChecksRoutes(deps));
  api.route('/', campaignsRoutes(deps));
  api.route('/', capturedMessagesRoutes(deps));

  // The document is public (it holds no data) and generated from the same zod schemas.
  app.get('/api/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'Edgepost API', version: '1' },
        security: [{ bearer: [] }],
      }),
    ),
  );
  app.route('/api', api);
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `No route for ${c.req.method} ${c.req.path}` } }, 404));
  return app;
}

export type App = ReturnType<typeof createApp>;
