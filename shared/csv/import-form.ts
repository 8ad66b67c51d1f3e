// The fields of an import request (multipart/form-data) besides the file: each is text,
// and the JSON ones are parsed here so that every problem is named at once, by field.
import { z } from '@hono/zod-openapi';
import { csvDelimiters } from './sniff-delimiter';

/** Reads a form field as JSON, then checks it with `schema`. */
function jsonField<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string({ error: `required: a JSON value like ${example}` })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON, like ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const ListIds = z
  .array(z.number({ error: 'list ids are whole numbers' }).int().positive())
  .max(100, 'at most 100 lists at once')
  .refine((ids) => new Set(ids).size === ids.length, 'list ids must not repeat');

export const ImportOptionsInput = z
  .object({
    existing: z.enum(['update', 'skip'], {
      error: 'existing must be "update" (the file\'s names and attributes overwrite existing subscribers\') or "skip" (existing subscribers keep theirs)',
    }),
    status: z
      .enum(['subscribed', 'unconfirmed'], { error: 'status is "subscribed" or "unconfirmed" (or left out: each list\'s opt-in decides)' })
      .optional(),
    delimiter: z.enum(csvDelimiters, { error: 'delimiter is ",", ";" or "\\t" (or left out: found from the header line)' }).optional(),
  })
  .strict();

const fields = {
  listIds: jsonField(ListIds, '[1, 2] (or [] for no list)').openapi({ type: 'string', description: 'JSON array of the lists the subscribers join, e.g. `[1]`.' }),
  mapping: jsonField(z.record(z.string(), z.string()), '{"Email": "email", "City": "attributes.city"}').openapi({
    type: 'string',
    description: 'JSON object: column name → `email`, `name`, `attributes.<key>` or `ignore` (see the preview\'s `suggestedMapping`).',
  }),
  options: jsonField(ImportOptionsInput, '{"existing": "update"}').openapi({
    type: 'string',
    description: 'JSON object: `existing` (`update` or `skip`, required), `status` (`subscribed` or `unconfirmed`), `delimiter`.',
  }),
};

/** The form's fields besides `file`, for the OpenAPI document. */
export const ImportFormFields = z.object(fields);
export type ImportFormValues = z.infer<typeof ImportFormFields>;

export interface FieldProblem {
  /** The field, e.g. `options.existing` or `listIds.1`. */
  path: string;
  message: string;
}

/**
 * Checks each field on its own, so one bad field does not hide another's problems: returns
 * the fields that are valid, and a problem for each that is not.
 */
export function readImportFields(form: Record<string, unknown>): { values: Partial<ImportFormValues>; problems: FieldProblem[] } {
  const values: Partial<ImportFormValues> = {};
  const problems: FieldProblem[] = [];
  for (const name of Object.keys(fields) as (keyof typeof fields)[]) {
    const parsed = fields[name].safeParse(form[name]);
    if (parsed.success) Object.assign(values, { [name]: parsed.data });
    else problems.push(...parsed.error.issues.map((i) => ({ path: [name, ...i.path].join('.'), message: i.message })));
  }
  return { values, problems };
}
