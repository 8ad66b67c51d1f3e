// Relay webhook sources: what `POST /hooks/:provider` authenticates a relay's requests
// against (a signing key, allowed SNS topics, a basic-auth pair). Secrets arrive sealed
// (shared/secret-box.ts) and leave sealed; opening them is the edge's job.
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../db/database';
import { relayWebhooks } from '../db/schema';
import type { WebhookProvider } from '../feedback/delivery-event';
import { toPage, type Page } from './page';

export type RelayWebhookRow = typeof relayWebhooks.$inferSelect;

export interface NewRelayWebhook {
  provider: WebhookProvider;
  name: string;
  config: Record<string, unknown>;
  /** Sealed with shared/secret-box.ts, or null when the provider has no secrets. */
  secrets: string | null;
}

export async function createRelayWebhook(db: Database, input: NewRelayWebhook): Promise<RelayWebhookRow> {
  const [row] = await db.insert(relayWebhooks).values(input).returning();
  return row!;
}

/** One page of sources in id order, optionally of one provider. */
export async function listRelayWebhooks(
  db: Database,
  page: { cursor?: number; limit: number; provider?: WebhookProvider },
): Promise<Page<RelayWebhookRow>> {
  const rows = await db
    .select()
    .from(relayWebhooks)
    .where(and(page.cursor ? gt(relayWebhooks.id, page.cursor) : undefined, page.provider ? eq(relayWebhooks.provider, page.provider) : undefined))
    .orderBy(relayWebhooks.id)
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function getRelayWebhook(db: Database, id: number): Promise<RelayWebhookRow | null> {
  const [row] = await db.select().from(relayWebhooks).where(eq(relayWebhooks.id, id));
  return row ?? null;
}

/** Every source of one provider, read on the `relay_webhooks_provider` index (a handful of rows). */
export async function relayWebhooksOf(db: Database, provider: WebhookProvider): Promise<RelayWebhookRow[]> {
  return db.select().from(relayWebhooks).where(eq(relayWebhooks.provider, provider)).orderBy(relayWebhooks.id);
}

export type RelayWebhookPatch = Partial<Pick<NewRelayWebhook, 'name' | 'config' | 'secrets'>>;

/** Updates a source; null when there is none with this id. */
export async function updateRelayWebhook(db: Database, id: number, patch: RelayWebhookPatch): Promise<RelayWebhookRow | null> {
  const [row] = await db
    .update(relayWebhooks)
    .set({ ...patch, updatedAt: Date.now() })
    .where(eq(relayWebhooks.id, id))
    .returning();
  return row ?? null;
}

/** Deletes a source; false when there was none. */
export async function deleteRelayWebhook(db: Database, id: number): Promise<boolean> {
  const rows = await db.delete(relayWebhooks).where(eq(relayWebhooks.id, id)).returning({ id: relayWebhooks.id });
  return rows.length > 0;
}

/** Notes that the relay reached us through this source; never moves the time backwards. */
export async function touchRelayWebhook(db: Database, id: number, at: number): Promise<void> {
  await db
    .update(relayWebhooks)
    .set({ lastReceivedAt: at })
    .where(and(eq(relayWebhooks.id, id), or(isNull(relayWebhooks.lastReceivedAt), lt(relayWebhooks.lastReceivedAt, at))));
}
