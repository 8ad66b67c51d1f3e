// Request and response schemas of the templates API. A template holds what a campaign's
// content holds (same rules as campaign-schemas.ts), except that the subject may be empty.
import { z } from '@hono/zod-openapi';
import { Timestamp } from '../api-schemas';
import { Preheader } from './campaign-schemas';

const MAX_BODY_CHARS = 2_000_000;

const Name = z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters');
const Format = z.enum(['mjml', 'html', 'text']);
const Subject = z
  .string()
  .trim()
  .max(998, 'subject must be at most 998 characters')
  .refine((s) => !/[\r\n]/.test(s), 'subject must be on one line')
  .openapi({ description: 'The subject a campaign made from it starts with; may be empty. Liquid merge tags allowed.' });
const Body = z
  .string()
  .min(1, 'body must not be empty')
  .max(MAX_BODY_CHARS, `body must be at most ${MAX_BODY_CHARS} characters`)
  .openapi({ description: 'MJML, HTML or plain text (per `format`), with Liquid merge tags; it must compile.' });

export const CreateTemplateBody = z
  .object({
    name: Name,
    format: Format,
    subject: Subject.default(''),
    preheader: Preheader.default(''),
    body: Body,
  })
  .strict();

export const UpdateTemplateBody = z
  .object({
    name: Name.optional(),
    format: Format.optional(),
    subject: Subject.optional(),
    preheader: Preheader.optional(),
    body: Body.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');

export const TemplateSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    format: Format,
    subject: z.string(),
    preheader: z.string(),
    body: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Template');

export const TemplateSummarySchema = TemplateSchema.omit({ body: true }).openapi('TemplateSummary');
