// The one Hono app both hosts serve. Web-standard APIs only: it runs in workerd and on Node.
import { OpenAPIHono } from '@hono/zod-openapi';
import { handleError } from './api-error';
import { requireCaller } from './auth';
import type { AppDeps } from './deps';
import { validationHook } from './validation-hook';
import { createWebhookSourceCache } from './webhook-source-cache';
import { apiKeysRoutes } from './routes/api-keys';
import { campaignReportsRoutes } from './routes/campaign-reports';
import { campaignTestsRoutes } from './routes/campaign-tests';
import { campaignsRoutes } from './routes/campaigns';
import { capturedMessagesRoutes } from './routes/captured-messages';
import { healthRoutes } from './routes/health';
import { listsRoutes } from './routes/lists';
import { messagesRoutes } from './routes/messages';
import { relayHooksRoutes } from './routes/relay-hooks';
import { relayWebhooksRoutes } from './routes/relay-webhooks';
import { sendingServerChecksRoutes } from './routes/sending-server-checks';
import { sendingServersRoutes } from './routes/sending-servers';
import { sessionRoutes } from './routes/session';
import { settingsRoutes } from './routes/settings';
import { signingKeysRoutes } from './routes/signing-keys';
import { setupRoutes } from './routes/setup';
import { subscriberExportRoutes } from './routes/subscriber-export';
import { subscriberImportsRoutes } from './routes/subscriber-imports';
import { subscribersRoutes } from './routes/subscribers';
import { suppressionsRoutes } from './routes/suppressions';
import { templatesRoutes } from './routes/templates';
import { trackingRoutes } from './routes/tracking';
import { documentTrackingRoutes } from './routes/tracking-docs';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { usersRoutes } from './routes/users';
import { webhookEndpointsRoutes } from './routes/webhook-endpoints';
import { secretKeysOf } from '../shared/keyring';

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(handleError);

  app.route('/', healthRoutes());
  app.route('/', trackingRoutes(deps));
  documentTrackingRoutes(app);
  app.route('/', unsubscribeRoutes(deps));
  // Relay webhooks are public (signed by the relay); the API empties the same source cache when it changes a source.
  const webhookSources = createWebhookSourceCache(deps.db, secretKeysOf(deps.keyring));
  app.route('/', relayHooksRoutes(deps, webhookSources));

  const api = new OpenAPIHono({ defaultHook: validationHook });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'edgepost_session', description: 'Dashboard session (`__Host-edgepost_session` over https); writes also need the X-CSRF-Token header.' });
  // Who may call what: edge/permissions.ts, checked here for every /api route.
  api.use('*', requireCaller(deps));
  api.route('/', setupRoutes(deps));
  api.route('/', sessionRoutes(deps));
  api.route('/', usersRoutes(deps));
  api.route('/', apiKeysRoutes(deps));
  api.route('/', listsRoutes(deps));
  // Before subscribersRoutes: /subscribers/{id} would otherwise answer /subscribers/imports and /subscribers/export.
  api.route('/', subscriberImportsRoutes(deps));
  api.route('/', subscriberExportRoutes(deps));
  api.route('/', subscribersRoutes(deps));
  api.route('/', sendingServersRoutes(deps));
  api.route('/', sendingServerChecksRoutes(deps));
  api.route('/', campaignsRoutes(deps));
  api.route('/', campaignReportsRoutes(deps));
  api.route('/', campaignTestsRoutes(deps));
  api.route('/', templatesRoutes(deps));
  api.route('/', capturedMessagesRoutes(deps));
  api.route('/', relayWebhooksRoutes(deps, webhookSources));
  api.route('/', suppressionsRoutes(deps));
  api.route('/', messagesRoutes(deps));
  api.route('/', settingsRoutes(deps));
  api.route('/', signingKeysRoutes(deps));
  api.route('/', webhookEndpointsRoutes(deps));

  // The document is public (it holds no data) and generated from the same zod schemas.
  app.get('/api/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'Edgepost API', version: '1' },
        security: [{ bearer: [] }, { session: [] }],
      }),
    ),
  );
  app.route('/api', api);
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `No route for ${c.req.method} ${c.req.path}` } }, 404));
  return app;
}

export type App = ReturnType<typeof createApp>;
