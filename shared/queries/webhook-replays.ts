// Single-use values of relay webhooks (Mailgun's tokens), claimed in `webhook_replays` so
// that a replay is refused by every Worker isolate, not only the one that saw it first.
import { eq, lte } from 'drizzle-orm';
import type { Database } from '../db/database';
import { webhookReplays } from '../db/schema';

export interface ClaimOptions {
  /** Epoch ms now: a claim that expired by then no longer blocks the key. */
  now: number;
  /** Also delete every expired claim, in the same round trip. */
  prune?: boolean;
}

/**
 * Claims `key` until `expiresAt` (epoch ms): true the first time, or when the earlier claim
 * has expired; false for a replay. One statement, so two isolates racing on the same key
 * cannot both win: SQLite serialises the writes and only one insert or update takes.
 */
export async function claimWebhookReplay(db: Database, key: string, expiresAt: number, options: ClaimOptions): Promise<boolean> {
  const claim = db
    .insert(webhookReplays)
    .values({ key, expiresAt })
    .onConflictDoUpdate({ target: webhookReplays.key, set: { expiresAt }, setWhere: lte(webhookReplays.expiresAt, options.now) });
  if (!options.prune) return (await claim).rowsAffected > 0;
  // No index on expires_at: the table holds only claims younger than a webhook's time
  // window (minutes), so the scan is short, and pruning is rare (edge/database-replay-guard.ts).
  const [, claimed] = await db.batch([db.delete(webhookReplays).where(lte(webhookReplays.expiresAt, options.now)), claim]);
  return claimed.rowsAffected > 0;
}


/** Gives a claim back (its request failed before anything was stored), so the relay's retry of the same token is accepted. */
export async function releaseWebhookReplay(db: Database, key: string): Promise<void> {
  await db.delete(webhookReplays).where(eq(webhookReplays.key, key));
}
