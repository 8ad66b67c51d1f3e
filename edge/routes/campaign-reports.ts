// Campaign reports: `GET /api/campaigns/{id}/timeseries`, `/domains` and `/bounces`, and a
// subscriber's timeline, `GET /api/subscribers/{id}/activity`. Readable by every role, as
// the stats are (edge/permissions.ts).
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { campaignDomains, campaignFeedback, campaignTimeseries } from '../../shared/queries/campaign-reports';
import { toPage } from '../../shared/queries/page';
import { subscriberActivity, type ActivityItem } from '../../shared/queries/subscriber-activity';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonContent } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { ActivityQuery, ActivitySchema, BouncesQuery, BouncesSchema, DomainsQuery, DomainsSchema, TimeseriesSchema } from './campaign-report-schemas';

const tags = ['Campaigns'];

function noCampaign(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No campaign with id ${id}.`);
}

function toActivityBody(item: ActivityItem) {
  const campaign = item.campaignId === null ? null : { id: item.campaignId, name: item.campaignName };
  if (item.kind === 'message') return { kind: item.kind, id: item.id, at: iso(item.at), campaign: campaign!, status: item.status, sentAt: iso(item.sentAt) };
  const { kind, id, type, messageId, url, bounceClass, machine, machineReason } = item;
  return { kind, id, at: iso(item.at), campaign, type, messageId, url, bounceClass, machine, machineReason };
}

export function campaignReportsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/timeseries',
      tags,
      summary: 'Opens and clicks over time: by the hour for the first 7 days after the start, by the day after',
      request: { params: IdParams },
      responses: { 200: jsonContent(TimeseriesSchema, 'The buckets that have events'), 404: errors[404] },
    }),
    async function campaignTimeseriesHandler(c) {
      const { id } = c.req.valid('param');
      const points = await campaignTimeseries(db, id);
      if (!points) throw noCampaign(id);
      return c.json({ campaignId: id, points: points.map((p) => ({ ...p, at: iso(p.at) })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/domains',
      tags,
      summary: 'Outcomes per recipient domain, the domains sent most to first',
      request: { params: IdParams, query: DomainsQuery },
      responses: { 200: jsonContent(DomainsSchema, 'The domains'), 400: errors[400], 404: errors[404] },
    }),
    async function campaignDomainsHandler(c) {
      const { id } = c.req.valid('param');
      const domains = await campaignDomains(db, id, c.req.valid('query').limit);
      if (!domains) throw noCampaign(id);
      return c.json({ campaignId: id, domains }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/bounces',
      tags,
      summary: "A campaign's bounces and complaints, newest recorded first",
      request: { params: IdParams, query: BouncesQuery },
      responses: { 200: jsonContent(BouncesSchema, 'A page of bounces and complaints'), 400: errors[400], 404: errors[404] },
    }),
    async function campaignBouncesHandler(c) {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const rows = await campaignFeedback(db, id, limit, cursor);
      if (!rows) throw noCampaign(id);
      const page = toPage(rows, limit);
      return c.json({ data: page.rows.map(({ at, ...e }) => ({ ...e, occurredAt: iso(at) })), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers/{id}/activity',
      tags: ['Subscribers'],
      summary: "A subscriber's timeline: the messages sent to them and their events, newest first",
      request: { params: IdParams, query: ActivityQuery },
      responses: { 200: jsonContent(ActivitySchema, 'A page of the timeline'), 400: errors[400], 404: errors[404] },
    }),
    async function subscriberActivityHandler(c) {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const page = await subscriberActivity(db, id, limit, cursor);
      if (!page) throw new ApiError(404, 'NOT_FOUND', `No subscriber with id ${id}.`);
      return c.json({ data: page.rows.map(toActivityBody), nextCursor: page.nextCursor }, 200);
    },
  );

  return app;
}
