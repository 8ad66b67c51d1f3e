// The API's one error type and its one handler: every error body is
// `{ error: { code, message, details? } }` and tells the caller what to fix.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../shared/errors';

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `subscribers.3.email`. */
  path: string;
  message: string;
  line?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetail[]) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status);
  // Hono's own refusals: a body that is not valid JSON (400), a wrong content type (415)...
  if (err instanceof HTTPException && err.status < 500) {
    return c.json(errorBody('VALIDATION', err.message || 'The request could not be read.'), err.status);
  }
  // Never echo internals (SQL, stack, secrets) to the caller.
  console.error('unhandled API error', err);
  return c.json(errorBody('INTERNAL', 'Something went wrong on our side; the request was not applied.'), 500);
}
