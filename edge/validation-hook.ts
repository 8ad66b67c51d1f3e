// Turns zod validation failures into the API's error body, naming each field and problem.
import type { Hook } from '@hono/zod-openapi';
import { errorBody } from './api-error';

const TARGET_NAMES: Record<string, string> = { json: 'request body', form: 'form body', query: 'query string', param: 'path', header: 'headers' };

export const validationHook: Hook<unknown, any, any, unknown> = (result, c) => {
  if (result.success) return;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  const where = TARGET_NAMES[result.target ?? ''] ?? 'request';
  return c.json(errorBody('VALIDATION', `Invalid ${where}: ${summary}`, details), 400);
};
