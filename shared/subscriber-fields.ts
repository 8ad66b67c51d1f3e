// The rules for a subscriber's fields, in one place for the API (edge/routes/subscribers.ts)
// and the CSV import (sender/imports): an address is valid, and normalised, the same way
// whichever door it comes in by.
import { z } from '@hono/zod-openapi';

/** Trimmed and lower-cased, so uniqueness is case-insensitive. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'email must be at most 254 characters')
  .pipe(z.email('email must be an address like name@example.com'))
  .openapi({ type: 'string', format: 'email', description: 'Stored trimmed and lower-cased.', example: 'ada@example.com' });

export const Name = z.string().trim().max(200, 'name must be at most 200 characters');

/** The largest attributes object, as JSON text. */
export const MAX_ATTRIBUTES_BYTES = 16_384;
