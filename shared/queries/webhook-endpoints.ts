// Webhook endpoints: the marketer's URLs that Edgepost calls when something happens. Their
// deliveries are written by triggers (migrations/0006) and sent by the sender plane; this
// module only keeps the endpoints. The signing secret arrives sealed (shared/secret-box.ts).
import { eq, gt } from 'drizzle-orm';
import type { Database } from '../db/database';
import { webhookDeliveries, webhookEndpoints } from '../db/schema';
import type { OutgoingEventName } from '../webhooks/outgoing-events';
import { toPage, type Page } from './page';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

export interface NewWebhookEndpoint {
  url: string;
  description: string;
  /** Event names from shared/webhooks/outgoing-events.ts, at least one. */
  events: OutgoingEventName[];
  /** Sealed signing secrets (see WebhookSigningSecrets). */
  secret: string;
  active: boolean;
}

export async function createWebhookEndpoint(db: Database, input: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
  const [row] = await db.insert(webhookEndpoints).values(input).returning();
  return row!;
}

/** One page of endpoints in id order. */
export async function listWebhookEndpoints(db: Database, page: { cursor?: number; limit: number }): Promise<Page<WebhookEndpointRow>> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(page.cursor ? gt(webhookEndpoints.id, page.cursor) : undefined)
    .orderBy(webhookEndpoints.id)
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function getWebhookEndpoint(db: Database, id: number): Promise<WebhookEndpointRow | null> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row ?? null;
}

/** Updates an endpoint (a new `secret` is a rotation); null when there is no such endpoint. */
export async function updateWebhookEndpoint(db: Database, id: number, patch: Partial<NewWebhookEndpoint>): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...patch, updatedAt: Date.now() })
    .where(eq(webhookEndpoints.id, id))
    .returning();
  return row ?? null;
}

/** Deletes an endpoint and its deliveries (sent or not); false when there was none. */
export async function deleteWebhookEndpoint(db: Database, id: number): Promise<boolean> {
  // The foreign key cascades too, but only where the connection enables foreign keys.
  const [, rows] = await db.batch([
    db.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id)),
    db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id }),
  ]);
  return rows.length > 0;
}
