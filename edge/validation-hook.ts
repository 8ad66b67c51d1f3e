// Turns zod validation failures into the API's error body, naming each field and problem.
import type { Hook } from '@hono/zod-openapi';
import { errorBody } from './api-error';

export const validationHook: Hook<unknown, any, any, unknown> = (result, c) => {
  if (result.success) return;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return c.json(errorBody('VALIDATION', `Invalid ${result.target ?? 'request'}: ${summary}`, details), 400);
};
