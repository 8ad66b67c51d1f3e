// Install-wide settings: `GET /api/settings`, `PATCH /api/settings`. Every key has a default
// (shared/settings.ts), so GET always answers the whole set and PATCH names only what changes.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { getSettings, updateSettings } from '../../shared/queries/settings';
import { settingsSchema, type SettingKey, type Settings } from '../../shared/settings';
import { errors, jsonBody, jsonContent } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';

const tags = ['Settings'];

// One line per setting for the API document; a setting added to shared/settings.ts without one fails to compile.
const descriptions: Record<SettingKey, string> = {
  softBounceLimit: 'Soft bounces, from distinct messages, within `softBounceDays` that suppress an address (reason `soft_bounce`).',
  softBounceDays: 'The window of the soft-bounce rule, in days.',
  tracking:
    'Tracking of campaigns whose own `tracking` is null: `on` (opens and clicks per message), `anonymous` (counts per campaign, nothing that names the reader) or `off` (no pixel, links as written).',
  trackingDomain:
    'Host name the pixel and click links of campaigns whose own `trackingDomain` is null use instead of PUBLIC_URL\'s, e.g. `click.acme.example` (point it at Edgepost first: docs/tracking.md); null: PUBLIC_URL.',
};

// The stored schema's rules without its defaults: in a PATCH an absent key means "unchanged",
// and zod would otherwise fill it in with the default (and write it).
const fields = Object.fromEntries(
  Object.entries(settingsSchema.shape).map(([key, field]) => [key, field.removeDefault().describe(descriptions[key as SettingKey])]),
);

const SettingsSchema = z.object(fields).openapi('Settings');

const PatchBody = z
  .strictObject(Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.optional()])))
  .refine((b) => Object.keys(b).length > 0, `send at least one of ${Object.keys(descriptions).join(', ')}`);

export function settingsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      tags,
      summary: 'Every setting, with defaults for those never changed',
      responses: { 200: jsonContent(SettingsSchema, 'The settings') },
    }),
    async function getSettingsHandler(c) {
      return c.json(await getSettings(db), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/settings',
      tags,
      summary: 'Change some settings (the others stay as they are)',
      request: { body: jsonBody(PatchBody) },
      responses: { 200: jsonContent(SettingsSchema, 'Every setting after the change'), 400: errors[400] },
    }),
    async function updateSettingsHandler(c) {
      return c.json(await updateSettings(db, c.req.valid('json') as Partial<Settings>), 200);
    },
  );

  return app;
}
