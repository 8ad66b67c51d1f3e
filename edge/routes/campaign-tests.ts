// `POST /api/campaigns/{id}/test` and `GET /api/campaigns/{id}/tests/{testId}`: a campaign,
// in any state, sent to a few addresses to see it as recipients will. The edge cannot send
// mail, so it writes a request that a sender container carries out (sender/test-sends.ts),
// and can wait a little for the outcome, as the live server check does.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { Email } from '../../shared/subscriber-fields';
import { getCampaign, type CampaignWithLists } from '../../shared/queries/campaigns';
import { getSubscriber } from '../../shared/queries/subscribers';
import { getTestSend, requestTestSend, type TestSendRow } from '../../shared/queries/test-sends';
import { ApiError, errorBody } from '../api-error';
import { ErrorSchema, errors, IdParams, iso, jsonBody, jsonContent, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { createCampaignChecks } from './campaign-checks';

const tags = ['Campaigns'];
const MAX_ADDRESSES = 10;
/** A test goes to addresses nobody subscribed, so a campaign gets a handful per hour, not a mailing. */
const TEST_SEND_LIMIT = { max: 20, windowMs: 60 * 60 * 1000 };
const MAX_WAIT_SECONDS = 30;
const POLL_MS = 200;

const TestSendBody = z
  .object({
    addresses: z
      .array(Email)
      .min(1, 'addresses must hold at least one address')
      .max(MAX_ADDRESSES, `addresses must hold at most ${MAX_ADDRESSES} addresses`)
      .refine((list) => new Set(list).size === list.length, 'addresses must not repeat')
      .openapi({ description: `Where to send the test: 1 to ${MAX_ADDRESSES} addresses.`, example: ['me@shop.example'] }),
    subscriberId: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: 'Whose data fills the merge tags. Default: a sample recipient, "Test Recipient" at each test address, with no attributes.' }),
  })
  .strict();

const TestSendResultSchema = z.object({
  address: z.string(),
  ok: z.boolean().openapi({ description: 'The relay accepted the message for this address.' }),
  detail: z.string().openapi({ description: "The relay's answer, or why the message was not sent." }),
});

const TestSendSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    addresses: z.array(z.string()),
    subscriberId: z.number().int().nullable(),
    status: z.enum(['pending', 'sent', 'failed']).openapi({ description: '`pending`: no sender container has finished it yet; `sent`: every address was accepted; `failed`: see `results`.' }),
    results: z.array(TestSendResultSchema).nullable().openapi({ description: 'Per address, once finished; null while pending.' }),
    requestedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .openapi('TestSend');

const TestParams = IdParams.extend({
  testId: z.coerce
    .number()
    .int()
    .positive('testId must be a positive whole number')
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'testId', in: 'path' }, example: 1 }),
});

const WaitQuery = z.object({
  wait: z.coerce
    .number('wait must be a number of seconds')
    .min(0, `wait must be 0-${MAX_WAIT_SECONDS} seconds`)
    .max(MAX_WAIT_SECONDS, `wait must be 0-${MAX_WAIT_SECONDS} seconds`)
    .default(0)
    .openapi({ description: `Seconds to wait for the outcome (0-${MAX_WAIT_SECONDS}, default 0: answer 202 at once and poll).` }),
});

const errorContent = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

function toTestSendBody(row: TestSendRow) {
  return {
    id: row.id,
    campaignId: row.campaignId,
    addresses: row.addresses,
    subscriberId: row.subscriberId,
    status: row.status,
    results: row.results,
    requestedAt: iso(row.requestedAt),
    finishedAt: iso(row.finishedAt),
  };
}

export function campaignTestsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;
  const checks = createCampaignChecks(deps);

  /** The campaign must render and have a server to send through; a stored campaign that does not compile is 422. */
  async function checkSendable(campaign: CampaignWithLists): Promise<void> {
    try {
      await checks.compiles(campaign);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_TEMPLATE') throw new ApiError(422, err.code, err.message, err.details);
      throw err;
    }
    await checks.sendingServer({ id: campaign.id, sendingServers: campaign.sendingServers.slice(0, 1) });
  }

  /** The test send once it has an outcome, or as it is when `waitSeconds` run out. */
  async function awaitOutcome(row: TestSendRow, waitSeconds: number): Promise<TestSendRow> {
    let current = row;
    for (const deadline = Date.now() + waitSeconds * 1000; current.status === 'pending' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      current = (await getTestSend(db, row.campaignId, row.id)) ?? current;
    }
    return current;
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/test',
      tags,
      summary: 'Send the campaign as a test to a few addresses',
      description: `Any state (usually a draft). The subject gets a "[Test] " prefix; links, pixel and unsubscribe link reach the edge but record nothing and unsubscribe no one; nothing is counted in the campaign's messages or stats, and suppressions are not checked (you name each address). Sent through the campaign's first sending server, or the default, within its rate. At most ${TEST_SEND_LIMIT.max} test sends per campaign per hour.`,
      request: { params: IdParams, query: WaitQuery, body: jsonBody(TestSendBody) },
      responses: {
        200: jsonContent(TestSendSchema, 'Finished within `wait`: `status` and `results` say how each address went'),
        202: jsonContent(TestSendSchema, 'Asked for; poll the Location (GET /api/campaigns/{id}/tests/{testId})'),
        400: errors[400],
        404: errors[404],
        409: errors[409],
        422: errorContent('The campaign does not render: `details` names each MJML or Liquid problem and its line'),
        429: errorContent(`The campaign had ${TEST_SEND_LIMIT.max} test sends in the last hour; try again after Retry-After seconds`),
      },
    }),
    async function sendTestHandler(c) {
      const { id } = c.req.valid('param');
      const { wait } = c.req.valid('query');
      const { addresses, subscriberId } = c.req.valid('json');
      const campaign = await getCampaign(db, id);
      if (!campaign) throw notFound(id);
      if (subscriberId !== undefined && !(await getSubscriber(db, subscriberId))) {
        throw new ApiError(400, 'VALIDATION', `No subscriber with id ${subscriberId}; leave subscriberId out to use a sample recipient.`, [
          { path: 'subscriberId', message: `no subscriber with id ${subscriberId}` },
        ]);
      }
      await checkSendable(campaign);
      const requested = await requestTestSend(db, { campaignId: id, addresses, subscriberId: subscriberId ?? null }, TEST_SEND_LIMIT);
      if ('retryAfterMs' in requested) {
        const seconds = Math.ceil(requested.retryAfterMs / 1000);
        const body = errorBody('RATE_LIMITED', `Campaign ${id} had ${TEST_SEND_LIMIT.max} test sends in the last hour, the most allowed: try again in ${Math.ceil(seconds / 60)} minute(s).`);
        return c.json(body, 429, { 'Retry-After': String(seconds) });
      }
      const row = await awaitOutcome(requested.row, wait);
      if (row.status !== 'pending') return c.json(toTestSendBody(row), 200);
      return c.json(toTestSendBody(row), 202, { Location: `/api/campaigns/${id}/tests/${row.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/tests/{testId}',
      tags,
      summary: 'A test send and, once finished, how each address went',
      request: { params: TestParams },
      responses: { 200: jsonContent(TestSendSchema, 'The test send'), 400: errors[400], 404: errors[404] },
    }),
    async function getTestSendHandler(c) {
      const { id, testId } = c.req.valid('param');
      const row = await getTestSend(db, id, testId);
      if (!row) throw new ApiError(404, 'NOT_FOUND', `Campaign ${id} has no test send with id ${testId}.`);
      return c.json(toTestSendBody(row), 200);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No campaign with id ${id}.`);
}
