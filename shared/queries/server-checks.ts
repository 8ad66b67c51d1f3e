// Live checks of sending servers: the API asks (check_requested_at), one sender container
// takes the request with a compare-and-set update, runs the driver's own validateConfig
// and writes the answer back. The database is the hand-off, as for campaigns.
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sendingServers } from '../db/schema';

export interface ServerCheckProblem {
  path: string;
  message: string;
}

/** Asks for a live check and returns when it was asked: a check recorded at or after it answers it. */
export async function requestServerCheck(db: Database, serverId: number): Promise<number> {
  const askedAt = Date.now();
  await db.update(sendingServers).set({ checkRequestedAt: askedAt }).where(eq(sendingServers.id, serverId));
  return askedAt;
}

/** Takes the oldest pending request, or null; two senders never take the same one. */
export async function claimServerCheck(db: Database): Promise<{ id: number; updatedAt: number } | null> {
  const [row] = await db
    .update(sendingServers)
    .set({ checkRequestedAt: null })
    .where(
      and(
        eq(
          sendingServers.id,
          sql`(select ${sendingServers.id} from ${sendingServers} where ${sendingServers.checkRequestedAt} is not null order by ${sendingServers.checkRequestedAt} limit 1)`,
        ),
        isNotNull(sendingServers.checkRequestedAt),
      ),
    )
    .returning({ id: sendingServers.id, updatedAt: sendingServers.updatedAt });
  return row ?? null;
}

export async function recordServerCheck(db: Database, serverId: number, problems: ServerCheckProblem[]): Promise<void> {
  await db.update(sendingServers).set({ checkedAt: Date.now(), checkProblems: problems }).where(eq(sendingServers.id, serverId));
}
