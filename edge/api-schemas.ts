// Schemas every API route module shares: the error body, id paths, cursor pages, times.
// They feed both request validation and the OpenAPI document.
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION' }),
      message: z.string(),
      details: z
        .array(z.object({ path: z.string(), message: z.string(), line: z.number().int().optional() }))
        .optional(),
    }),
  })
  .openapi('Error');

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** The error answers route definitions list; pick the ones a route can give. */
export const errors = {
  400: errorResponse('Invalid input: `details` names each field and the problem.'),
  404: errorResponse('No such resource.'),
  409: errorResponse('The resource is in a state that does not allow this.'),
} as const;

export const IdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive('id must be a positive whole number')
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `limit` of every paged list: how many items per page. */
export const PageLimit = z.coerce
  .number()
  .int()
  .min(1, `limit must be 1-${MAX_PAGE_SIZE}`)
  .max(MAX_PAGE_SIZE, `limit must be 1-${MAX_PAGE_SIZE}`)
  .default(DEFAULT_PAGE_SIZE);

export const PageQuery = z.object({
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'cursor must be the nextCursor of a previous page')
    .transform(Number)
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page; omit for the first page.' }),
  limit: PageLimit,
});

/** `{ data, nextCursor }`: nextCursor is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last one.' }),
  });
}

export const Timestamp = z.iso.datetime().openapi({ example: '2026-01-31T09:30:00.000Z' });

/** Epoch milliseconds (how the database keeps time) to the API's ISO strings. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The JSON body of a route, required, so a missing or non-JSON body is a 400/415, never `{}`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, ...(description ? { description } : {}), content: { 'application/json': { schema } } };
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
