// A replay guard on the database, for Workers: isolates share no memory, so a token claimed
// in one must be refused in every other. Each claim is one statement; about once a minute
// per isolate the claim also deletes expired rows, in the same round trip, so the table
// stays as small as the set of tokens that can still be replayed.
import type { Database } from '../shared/db/database';
import { claimWebhookReplay } from '../shared/queries/webhook-replays';
import type { ReplayGuard } from '../shared/webhooks/relay-webhook';

export interface DatabaseReplayGuardOptions {
  /** Epoch ms now. Default Date.now. */
  now?: () => number;
  /** Least time between two prunes by this guard, in ms. Default 60000. */
  pruneEveryMs?: number;
}

export function createDatabaseReplayGuard(db: Database, options: DatabaseReplayGuardOptions = {}): ReplayGuard {
  const now = options.now ?? Date.now;
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  let nextPrune = 0;

  return {
    async claim(key, expiresAt, bodySha256) {
      const at = now();
      const prune = at >= nextPrune;
      if (prune) nextPrune = at + pruneEveryMs;
      return claimWebhookReplay(db, { key, expiresAt, bodySha256 }, { now: at, prune });
    },
  };
}
