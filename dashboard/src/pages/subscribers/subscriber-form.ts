// The subscriber form's rules (edge/routes/subscribers.ts and shared/subscriber-fields.ts),
// checked as the user types, and the conversion between the API's attributes object and
// the form's key/value rows. A value that is not text (a number, true, a list) is edited as
// JSON so that saving gives back the same type; new rows are text.
import { z } from 'zod';

// shared/subscriber-fields.ts: MAX_ATTRIBUTES_BYTES (not imported: it brings zod-openapi along).
const MAX_ATTRIBUTES_BYTES = 16_384;
const MAX_KEY_LENGTH = 64;

const attributeRow = z
  .object({
    key: z.string().trim().min(1, 'Name the attribute').max(MAX_KEY_LENGTH, `Use at most ${MAX_KEY_LENGTH} characters`),
    value: z.string(),
    /** The value is JSON (it was a number, boolean, list or object). */
    json: z.boolean(),
  })
  .superRefine((row, ctx) => {
    if (row.json && parseJson(row.value) === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'Enter JSON, like 42, true or ["a", "b"]' });
  });

export type AttributeRow = z.infer<typeof attributeRow>;

const attributeRows = z.array(attributeRow).superRefine((rows, ctx) => {
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const key = row.key.trim();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `"${key}" is already above; an attribute is given once` });
    seen.add(key);
  });
  if (JSON.stringify(attributesFromRows(rows)).length > MAX_ATTRIBUTES_BYTES) {
    ctx.addIssue({ code: 'custom', message: `The attributes must be at most ${MAX_ATTRIBUTES_BYTES.toLocaleString()} bytes of JSON together` });
  }
});

export const subscriberSchema = z.object({
  email: z.string().trim().min(1, 'Enter the email address').max(254, 'Use at most 254 characters').email('Enter an address like name@example.com'),
  name: z.string().trim().max(200, 'Use at most 200 characters'),
  status: z.enum(['active', 'blocklisted']),
  attributes: attributeRows,
});
export type SubscriberValues = z.infer<typeof subscriberSchema>;

/** The form's fields that the API's 400 details can name. */
export const SUBSCRIBER_FIELDS = ['email', 'name', 'status', 'attributes'] as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The API's attributes as rows, in the object's order. */
export function rowsFromAttributes(attributes: Record<string, unknown>): AttributeRow[] {
  return Object.entries(attributes).map(([key, value]) =>
    typeof value === 'string' ? { key, value, json: false } : { key, value: JSON.stringify(value), json: true },
  );
}

/** The rows as the API's attributes object (assumes the schema accepted them). */
export function attributesFromRows(rows: readonly AttributeRow[]): Record<string, unknown> {
  return Object.fromEntries(rows.map((row) => [row.key.trim(), row.json ? parseJson(row.value) : row.value]));
}
