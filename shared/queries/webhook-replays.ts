// Single-use values of relay webhooks (Mailgun's tokens), claimed in `webhook_replays` so
// that a replay is refused by every Worker isolate, not only the one that saw it first.
import { lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { webhookReplays } from '../db/schema';

export interface ClaimOptions {
  /** Epoch ms now: a claim that expired by then no longer blocks the key. */
  now: number;
  /** Also delete every expired claim, in the same round trip. */
  prune?: boolean;
}

export interface ReplayClaim {
  key: string;
  /** Epoch ms after which the value can no longer be replayed. */
  expiresAt: number;
  /** SHA-256 (hex) of the body the value came with. */
  bodySha256: string;
}

/**
 * Claims `key` until `expiresAt` (epoch ms) for a body: true the first time, when the earlier
 * claim has expired, or when it was made with the same body (the relay's retry); false for a
 * replay with another body. One statement, so two isolates racing on the same key with
 * different bodies cannot both win: SQLite serialises the writes and only one insert or
 * update takes.
 */
export async function claimWebhookReplay(db: Database, replay: ReplayClaim, options: ClaimOptions): Promise<boolean> {
  const claim = db
    .insert(webhookReplays)
    .values(replay)
    .onConflictDoUpdate({
      target: webhookReplays.key,
      set: { expiresAt: replay.expiresAt, bodySha256: replay.bodySha256 },
      setWhere: or(lte(webhookReplays.expiresAt, options.now), sql`${webhookReplays.bodySha256} = excluded.body_sha256`),
    });
  if (!options.prune) return (await claim).rowsAffected > 0;
  // No index on expires_at: the table holds only claims younger than a webhook's time
  // window (minutes), so the scan is short, and pruning is rare (edge/database-replay-guard.ts).
  const [, claimed] = await db.batch([db.delete(webhookReplays).where(lte(webhookReplays.expiresAt, options.now)), claim]);
  return claimed.rowsAffected > 0;
}
