// Templates: `POST/GET /api/templates`, `GET/PATCH/DELETE /api/templates/{id}`. Saved
// starting points for campaigns, refused when their content would not compile as one.
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { compileCampaign, TemplateError } from '../../shared/render/compile-campaign';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  updateTemplate,
  type TemplateContent,
  type TemplateRow,
  type TemplateSummary,
} from '../../shared/queries/templates';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { invalidTemplate } from './campaign-checks';
import { CreateTemplateBody, TemplateSchema, TemplateSummarySchema, UpdateTemplateBody } from './template-schemas';

const tags = ['Templates'];
// A template has no sender and may have no subject; these stand in so the body is
// compiled exactly as a campaign's would be, and are never reported on.
const STAND_IN = { id: 1, subject: 'Template', fromAddress: 'template@example.com' };

function toSummaryBody(t: TemplateSummary) {
  return { id: t.id, name: t.name, format: t.format, subject: t.subject, preheader: t.preheader, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

function toTemplateBody(t: TemplateRow) {
  return { ...toSummaryBody(t), body: t.body };
}

/** The template's subject, preheader and body compile as a campaign's would (400 INVALID_TEMPLATE with lines otherwise). */
async function requireCompiles(deps: AppDeps, t: TemplateContent): Promise<void> {
  try {
    const { name, format, body, preheader } = t;
    await compileCampaign({ ...STAND_IN, name, format, body, preheader, subject: t.subject || STAND_IN.subject }, deps.mjml2html);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw invalidTemplate(err, 'template');
  }
}

export function templatesRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/templates',
      tags,
      summary: 'Save a template (its subject, preheader and body must compile)',
      request: { body: jsonBody(CreateTemplateBody) },
      responses: { 201: jsonContent(TemplateSchema, 'The new template'), 400: errors[400] },
    }),
    async function createTemplateHandler(c) {
      const content = c.req.valid('json');
      await requireCompiles(deps, content);
      return c.json(toTemplateBody(await createTemplate(db, content)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates',
      tags,
      summary: 'List templates, in id order',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(TemplateSummarySchema), 'A page of templates, without their bodies'), 400: errors[400] },
    }),
    async function listTemplatesHandler(c) {
      const page = await listTemplates(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toSummaryBody), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates/{id}',
      tags,
      summary: 'Get a template',
      request: { params: IdParams },
      responses: { 200: jsonContent(TemplateSchema, 'The template'), 404: errors[404] },
    }),
    async function getTemplateHandler(c) {
      const { id } = c.req.valid('param');
      const template = await getTemplate(db, id);
      if (!template) throw notFound(id);
      return c.json(toTemplateBody(template), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/templates/{id}',
      tags,
      summary: 'Edit a template (the result must compile)',
      request: { params: IdParams, body: jsonBody(UpdateTemplateBody) },
      responses: { 200: jsonContent(TemplateSchema, 'The updated template'), 400: errors[400], 404: errors[404] },
    }),
    async function updateTemplateHandler(c) {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const current = await getTemplate(db, id);
      if (!current) throw notFound(id);
      await requireCompiles(deps, { ...current, ...patch });
      const updated = await updateTemplate(db, id, patch);
      if (!updated) throw notFound(id);
      return c.json(toTemplateBody(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/templates/{id}',
      tags,
      summary: 'Delete a template (campaigns made from it keep their content)',
      request: { params: IdParams },
      responses: { 204: { description: 'Deleted' }, 404: errors[404] },
    }),
    async function deleteTemplateHandler(c) {
      const { id } = c.req.valid('param');
      if (!(await deleteTemplate(db, id))) throw notFound(id);
      return c.body(null, 204);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No template with id ${id}.`);
}
