// Webhook deliveries: one event for one endpoint. Triggers write them with the change that
// caused them (migrations/0006); sender containers claim the due ones with a lease, call the
// endpoint and record each attempt; the API lists them and queues tests and manual retries.
import { and, desc, eq, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sqlJson } from '../db/sql-json';
import { webhookDeliveries, webhookEndpoints } from '../db/schema';
import { PING_EVENT } from '../webhooks/outgoing-events';
import { toPage, type Page } from './page';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookDeliveryStatus = WebhookDeliveryRow['status'];

/** Queues a `ping` delivery to an active endpoint, due now; null when there is no such active endpoint. */
export async function queueTestDelivery(db: Database, endpointId: number): Promise<WebhookDeliveryRow | null> {
  const now = Date.now();
  const payload = JSON.stringify({
    type: PING_EVENT,
    timestamp: new Date(now).toISOString(),
    data: { endpointId, message: 'A test delivery from Edgepost.' },
  });
  // One statement, so an endpoint deleted or disabled meanwhile gets nothing.
  const [row] = await db.all<{ id: number }>(sql`
    insert into ${webhookDeliveries} (endpoint_id, event, payload, next_attempt_at)
    select id, ${PING_EVENT}, ${payload}, ${now} from ${webhookEndpoints} where id = ${endpointId} and active = 1
    returning id`);
  return row ? getWebhookDelivery(db, row.id) : null;
}

export interface DeliveryFilter {
  /** The last id of the previous page: deliveries are listed newest first. */
  cursor?: number;
  limit: number;
  status?: WebhookDeliveryStatus;
}

/** One page of an endpoint's deliveries, newest first (on the endpoint-and-id index). */
export async function listWebhookDeliveries(db: Database, endpointId: number, filter: DeliveryFilter): Promise<Page<WebhookDeliveryRow>> {
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        filter.cursor ? lt(webhookDeliveries.id, filter.cursor) : undefined,
        filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(filter.limit + 1);
  return toPage(rows, filter.limit);
}

export async function getWebhookDelivery(db: Database, id: number): Promise<WebhookDeliveryRow | null> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  return row ?? null;
}

export type RetryResult = { retried: WebhookDeliveryRow } | { refused: string } | null;

/**
 * Queues a delivered or failed delivery again, due now, with a fresh series of attempts
 * (the same webhook-id, so a receiver that already has it can ignore it). Refused while it
 * is still pending or its endpoint is disabled; null when there is no such delivery.
 */
export async function retryWebhookDelivery(db: Database, id: number): Promise<RetryResult> {
  const endpointActive = sql`exists (select 1 from ${webhookEndpoints} where ${webhookEndpoints.id} = ${webhookDeliveries.endpointId} and ${webhookEndpoints.active} = 1)`;
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: Date.now(), claimedBy: null, leaseUntil: null })
    .where(and(eq(webhookDeliveries.id, id), ne(webhookDeliveries.status, 'pending'), endpointActive))
    .returning();
  if (row) return { retried: row };
  const current = await getWebhookDelivery(db, id);
  if (!current) return null;
  if (current.status === 'pending') return { refused: `it is still pending; its next attempt is at ${new Date(current.nextAttemptAt).toISOString()}` };
  return { refused: `its endpoint ${current.endpointId} is disabled; enable it first (PATCH active: true)` };
}

/** A claimed delivery with what calling its endpoint needs. */
export interface ClaimedDelivery {
  id: number;
  endpointId: number;
  url: string;
  /** The endpoint's sealed signing secrets. */
  secret: string;
  event: string;
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
}

export interface ClaimOptions {
  senderId: string;
  /** How long the claim holds: longer than one attempt can take. */
  leaseMs: number;
  /** At most this many deliveries. */
  limit: number;
  /** At most this many in flight per endpoint, counting `inFlight`. */
  perEndpoint: number;
  /** Deliveries this sender already has in flight, per endpoint id. */
  inFlight: ReadonlyMap<number, number>;
}

/** How many due deliveries one claim looks at before spreading them over endpoints. */
const CLAIM_WINDOW = 200;

/**
 * The claim, as one UPDATE (exported so a test can check its query plan). The sub-select
 * picks candidates; the outer WHERE repeats "pending and not leased", so the UPDATE is a
 * compare-and-set and two senders never hold one delivery at once. Endpoints this sender
 * already keeps busy are skipped, so one slow endpoint cannot take every slot.
 */
export function claimStatement(options: ClaimOptions, now: number): SQL {
  const inFlight = sqlJson(Object.fromEntries(options.inFlight));
  // The unary `+` keeps each part on its index: candidates on the due index (status,
  // next_attempt_at), not an endpoint's whole history on the endpoint index; the UPDATE by
  // primary key, not by walking every pending row of the due index.
  return sql`
    update ${webhookDeliveries} set claimed_by = ${options.senderId}, lease_until = ${now + options.leaseMs}
    where id in (
      select id from (
        select id, endpoint_id, row_number() over (partition by endpoint_id order by next_attempt_at, id) as n
        from (
          select id, endpoint_id, next_attempt_at from ${webhookDeliveries}
          where status = 'pending' and next_attempt_at <= ${now} and (lease_until is null or lease_until < ${now})
            and +endpoint_id in (select id from ${webhookEndpoints} where active = 1)
            and +endpoint_id not in (select cast(key as integer) from json_each(${inFlight}) where value >= ${options.perEndpoint})
          order by next_attempt_at
          limit ${CLAIM_WINDOW}))
      where n + coalesce((select value from json_each(${inFlight}) where key = cast(endpoint_id as text)), 0) <= ${options.perEndpoint}
      order by n, id
      limit ${options.limit})
    and +status = 'pending' and (lease_until is null or lease_until < ${now})
    returning id, endpoint_id, event, payload, attempts,
      (select url from ${webhookEndpoints} where id = endpoint_id) as url,
      (select secret from ${webhookEndpoints} where id = endpoint_id) as secret`;
}

/** Claims due deliveries of active endpoints, oldest due first, each with a lease of `leaseMs`. */
export async function claimDueDeliveries(db: Database, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  const rows = await db.all<Record<string, unknown>>(claimStatement(options, Date.now()));
  return rows.map((r) => ({
    id: Number(r.id),
    endpointId: Number(r.endpoint_id),
    url: String(r.url),
    secret: String(r.secret),
    event: String(r.event),
    payload: String(r.payload),
    attempts: Number(r.attempts),
  }));
}

/** What one attempt came to. */
export interface DeliveryAttempt {
  id: number;
  senderId: string;
  /** Epoch ms when the attempt was made. */
  at: number;
  delivered: boolean;
  /** The endpoint's HTTP status, when it answered. */
  httpStatus: number | null;
  /** The start of its answer (about 1 KB), for the marketer. */
  response: string | null;
  /** Why the attempt failed, in words (timeout, refused, a non-2xx status...). */
  error: string | null;
  /** When to try again after a failure; null: no more attempts, the delivery has failed. */
  retryAt: number | null;
  /** The endpoint answered 410 Gone: it asks not to be called again. */
  disableEndpoint: boolean;
}

/** Records an attempt and releases the claim; false when the claim was no longer ours (lease lapsed, endpoint deleted). */
export async function recordDeliveryAttempt(db: Database, attempt: DeliveryAttempt): Promise<boolean> {
  const status = attempt.delivered ? 'delivered' : attempt.retryAt === null ? 'failed' : 'pending';
  const ours = and(eq(webhookDeliveries.id, attempt.id), eq(webhookDeliveries.claimedBy, attempt.senderId));
  const record = db
    .update(webhookDeliveries)
    .set({
      status,
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      // A settled delivery keeps when it settled here, so the retention sweep reads a range of the due index.
      nextAttemptAt: attempt.retryAt ?? attempt.at,
      claimedBy: null,
      leaseUntil: null,
      lastAttemptAt: attempt.at,
      lastStatus: attempt.httpStatus,
      lastResponse: attempt.response,
      lastError: attempt.error,
      ...(attempt.delivered ? { deliveredAt: attempt.at } : {}),
    })
    .where(ours)
    .returning({ id: webhookDeliveries.id });
  if (!attempt.disableEndpoint) return (await record).length > 0;
  // Disable first, while the claim still names the delivery, in the same transaction.
  const [, recorded] = await db.batch([
    db
      .update(webhookEndpoints)
      .set({ active: false, updatedAt: attempt.at })
      .where(eq(webhookEndpoints.id, sql`(select ${webhookDeliveries.endpointId} from ${webhookDeliveries} where ${ours})`)),
    record,
  ]);
  return recorded.length > 0;
}

/**
 * Deletes up to `limit` deliveries that settled (delivered or failed) before `before`, oldest
 * first, through `webhook_deliveries_due` (status, settled time): the log keeps a window,
 * not every call ever made. Returns how many went.
 */
export async function deleteSettledDeliveries(db: Database, before: number, limit: number): Promise<number> {
  const result = await db.run(sql`
    delete from ${webhookDeliveries} where id in (
      select id from ${webhookDeliveries} where status = 'delivered' and next_attempt_at < ${before}
      union all
      select id from ${webhookDeliveries} where status = 'failed' and next_attempt_at < ${before}
      limit ${limit})`);
  return result.rowsAffected;
}
