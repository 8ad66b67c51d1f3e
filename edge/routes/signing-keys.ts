// What an admin may know of the keys behind SECRET_KEY: `GET /api/signing-keys`. Only the
// public key ids (each tracking link carries one), never a key, so the dashboard can show
// which key signs new mail and which retired ones still open old links during a rotation.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { jsonContent } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const tags = ['Settings'];

const SigningKeysSchema = z
  .object({
    currentKeyId: z.string().openapi({ description: 'Id of the key derived from SECRET_KEY: it signs every new link, VERP address and stored secret.', example: 'Xk3v9Qa1' }),
    retiredKeyIds: z.array(z.string()).openapi({
      description: 'Ids of the keys from SECRET_KEY_PREVIOUS, in order: links and stored secrets made under them still open. Empty when no rotation is under way.',
    }),
  })
  .openapi('SigningKeys');

export function signingKeysRoutes(deps: Pick<AppDeps, 'keys' | 'keyring'>) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const currentKeyId = deps.keys.trackingKeyId;
  const retiredKeyIds = deps.keyring.map((keys) => keys.trackingKeyId).filter((id) => id !== currentKeyId);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/signing-keys',
      tags,
      summary: 'Which key signs new links, and which retired keys still open old ones (ids only)',
      responses: { 200: jsonContent(SigningKeysSchema, 'The key ids') },
    }),
    async function getSigningKeysHandler(c) {
      return c.json({ currentKeyId, retiredKeyIds }, 200);
    },
  );

  return app;
}
