import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps';

// Placeholder until this route module is written.
export function campaignsRoutes(_deps: AppDeps) {
  return new OpenAPIHono();
}
