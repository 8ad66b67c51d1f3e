// Campaigns: `POST/GET /api/campaigns`, `GET/PATCH /api/campaigns/{id}`, the state changes
// `POST /api/campaigns/{id}/send|pause|resume|cancel`, and `GET /api/campaigns/{id}/stats`.
// Sending only changes state in the database; the sender plane does the rest.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { campaignTransitions, nextCampaignStatus, type CampaignAction } from '../../shared/campaign-state';
import { campaignStatuses, type CampaignStatus } from '../../shared/db/schema';
import {
  createCampaign,
  getCampaign,
  listCampaigns,
  sendableGuard,
  transitionCampaign,
  updateCampaign,
  type CampaignServer,
  type CampaignSummary,
  type CampaignWithLists,
  type CampaignWrite,
} from '../../shared/queries/campaigns';
import { campaignHeadlines, campaignStats } from '../../shared/queries/stats';
import { ApiError } from '../api-error';
import { errors, IdParams, iso, jsonBody, jsonContent, PageQuery, pageOf } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { CampaignSchema, CampaignStatsSchema, CampaignSummarySchema, CreateCampaignBody, UpdateCampaignBody } from './campaign-schemas';
import { createCampaignChecks } from './campaign-checks';

const tags = ['Campaigns'];
// compileCampaign wants a positive id; a campaign being created has none yet, and the id
// does not change whether it compiles.
const UNSAVED_ID = Number.MAX_SAFE_INTEGER;

function toCampaignBody(c: CampaignWithLists) {
  return { ...toCampaignFields(c), body: c.body };
}

function toCampaignFields(c: CampaignSummary) {
  return {
    id: c.id,
    name: c.name,
    subject: c.subject,
    from: c.fromAddress,
    preheader: c.preheader,
    format: c.format,
    tracking: c.tracking,
    trackingDomain: c.trackingDomain,
    lists: c.lists,
    sendingServerId: c.sendingServers[0]?.id ?? null,
    sendingServers: c.sendingServers,
    sendAt: iso(c.sendAt),
    status: c.status,
    statusReason: c.statusReason,
    startedAt: iso(c.startedAt),
    finishedAt: iso(c.finishedAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

/** The servers a body names, either way it may name them; undefined: not named. */
function serversOf(body: { sendingServerId?: number | null; sendingServers?: { id: number; weight: number }[] }): CampaignServer[] | undefined {
  if (body.sendingServers) return body.sendingServers;
  if (body.sendingServerId === undefined) return undefined;
  return body.sendingServerId === null ? [] : [{ id: body.sendingServerId, weight: 1 }];
}

function refused(id: number, action: CampaignAction, status: CampaignStatus): ApiError {
  const { from } = campaignTransitions[action];
  // The status allowed it, so the extra guard failed: a concurrent edit took its lists or server away.
  if (from.includes(status)) return new ApiError(409, 'CONFLICT', `Campaign ${id} changed while it was being checked; check its lists and sending server, then ${action} again.`);
  const allowed = from.join(', ');
  return new ApiError(409, 'CONFLICT', `Cannot ${action} campaign ${id}: it is ${status}, and ${action} is allowed only when it is ${allowed}.`);
}

/** Turns a refused or missing write into the API's 409 or 404. */
function written(result: CampaignWrite, id: number, action: CampaignAction): CampaignWithLists {
  if (!result) throw notFound(id);
  if ('refusedInStatus' in result) throw refused(id, action, result.refusedInStatus);
  return result;
}

export function campaignsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;
  const checks = createCampaignChecks(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags,
      summary: 'Create a draft campaign (its subject and body must compile)',
      request: { body: jsonBody(CreateCampaignBody) },
      responses: { 201: jsonContent(CampaignSchema, 'The new draft'), 400: errors[400] },
    }),
    async function createCampaignHandler(c) {
      const { lists, from, sendingServerId, sendingServers, ...input } = c.req.valid('json');
      const content = { ...input, fromAddress: from };
      const servers = serversOf({ sendingServerId, sendingServers }) ?? [];
      await checks.references(lists, servers, sendingServers ? 'sendingServers' : 'sendingServerId');
      await checks.compiles({ id: UNSAVED_ID, ...content });
      return c.json(toCampaignBody(await createCampaign(db, content, lists, servers)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns',
      tags,
      summary: 'List campaigns, newest first, with their headline numbers',
      request: { query: PageQuery.extend({ status: z.enum(campaignStatuses).optional() }) },
      responses: { 200: jsonContent(pageOf(CampaignSummarySchema), 'A page of campaigns, without their bodies'), 400: errors[400] },
    }),
    async function listCampaignsHandler(c) {
      const page = await listCampaigns(db, c.req.valid('query'));
      const numbers = await campaignHeadlines(db, page.rows.map((row) => row.id));
      return c.json({ data: page.rows.map((row) => ({ ...toCampaignFields(row), numbers: numbers.get(row.id)! })), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}',
      tags,
      summary: 'Get a campaign',
      request: { params: IdParams },
      responses: { 200: jsonContent(CampaignSchema, 'The campaign'), 404: errors[404] },
    }),
    async function getCampaignHandler(c) {
      const { id } = c.req.valid('param');
      const campaign = await getCampaign(db, id);
      if (!campaign) throw notFound(id);
      return c.json(toCampaignBody(campaign), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/campaigns/{id}',
      tags,
      summary: 'Edit a draft or scheduled campaign',
      description:
        'A scheduled campaign\'s tracking was fixed when it was sent: there a null `tracking` takes the install\'s mode of that moment, and a null `trackingDomain` means PUBLIC_URL (docs/tracking.md).',
      request: { params: IdParams, body: jsonBody(UpdateCampaignBody) },
      responses: { 200: jsonContent(CampaignSchema, 'The updated campaign'), 400: errors[400], 404: errors[404], 409: errors[409] },
    }),
    async function updateCampaignHandler(c) {
      const { id } = c.req.valid('param');
      const { lists, from, sendingServerId, sendingServers, ...patch } = c.req.valid('json');
      const servers = serversOf({ sendingServerId, sendingServers });
      const current = await getCampaign(db, id);
      if (!current) throw notFound(id);
      const content = { ...patch, ...(from === undefined ? {} : { fromAddress: from }) };
      if (!nextCampaignStatus('edit', current.status).allowed) throw refused(id, 'edit', current.status);
      const merged = { ...current, ...content };
      if (merged.status === 'scheduled') checks.stillSchedulable(merged.sendAt, lists ?? merged.lists);
      await checks.references(lists ?? [], servers ?? [], sendingServers ? 'sendingServers' : 'sendingServerId');
      await checks.compiles(merged);
      return c.json(toCampaignBody(written(await updateCampaign(db, id, content, lists, servers), id, 'edit')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/send',
      tags,
      summary: 'Send a draft: queued now, or scheduled when sendAt is ahead',
      description:
        'Checks again that the campaign compiles, has a list and has a sending server (its own, each of them valid, or the default), then moves it from draft in one conditional update: a second click answers 409 and sends nothing twice. The same update fixes its tracking: a null `tracking` or `trackingDomain` becomes the install\'s setting of that moment, and from then on a null `trackingDomain` means PUBLIC_URL (docs/tracking.md).',
      request: { params: IdParams },
      responses: { 200: jsonContent(CampaignSchema, 'The campaign, now queued or scheduled'), 400: errors[400], 404: errors[404], 409: errors[409] },
    }),
    async function sendCampaignHandler(c) {
      const { id } = c.req.valid('param');
      const campaign = await getCampaign(db, id);
      if (!campaign) throw notFound(id);
      if (campaign.status !== 'draft') throw refused(id, 'send', campaign.status);
      await checks.compiles(campaign);
      if (campaign.lists.length === 0) {
        throw new ApiError(409, 'CONFLICT', `Campaign ${id} has no lists to send to; add some with PATCH /api/campaigns/${id} { "lists": [...] }.`);
      }
      await checks.sendingServer(campaign);
      return c.json(toCampaignBody(written(await transitionCampaign(db, id, 'send', sendableGuard(id)), id, 'send')), 200);
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    const from = campaignTransitions[action].from.join(', ');
    app.openapi(
      createRoute({
        method: 'post',
        path: `/campaigns/{id}/${action}`,
        tags,
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} a campaign (allowed when it is ${from})`,
        request: { params: IdParams },
        responses: { 200: jsonContent(CampaignSchema, 'The campaign in its new state'), 404: errors[404], 409: errors[409] },
      }),
      async function campaignActionHandler(c) {
        const { id } = c.req.valid('param');
        return c.json(toCampaignBody(written(await transitionCampaign(db, id, action), id, action)), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/stats',
      tags,
      summary: 'Sending outcomes and engagement of a campaign',
      request: { params: IdParams },
      responses: { 200: jsonContent(CampaignStatsSchema, 'The statistics'), 404: errors[404] },
    }),
    async function campaignStatsHandler(c) {
      const { id } = c.req.valid('param');
      const stats = await campaignStats(db, id);
      if (!stats) throw notFound(id);
      return c.json(stats, 200);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No campaign with id ${id}.`);
}
