// The suppression list. One definition of "suppressed", the one the sender checks before
// each send (shared/queries/recipients.ts and messages.ts): a row here for the address,
// lower-cased, whatever its reason. No expiry, no "inactive" state: to mail an address
// again, its row is deleted.
import { and, eq, gt, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sqlJson } from '../db/sql-json';
import { suppressionLifts, suppressions, type SuppressionReason } from '../db/schema';

export type SuppressionRow = typeof suppressions.$inferSelect;

export interface SuppressionPage {
  rows: SuppressionRow[];
  /** The last address of this page, or null when nothing follows. */
  nextCursor: string | null;
}

export interface SuppressionQuery {
  /** The `nextCursor` of the previous page: the last address it held. */
  cursor?: string;
  limit: number;
  reason?: SuppressionReason;
  /** The start of the address, lower case. */
  search?: string;
}

// Above every character an address can hold, so `prefix + HIGHEST` bounds the prefix's range.
const HIGHEST = '\u{10ffff}';

/**
 * The read behind listSuppressions, exported so a test can check its plan. Address order
 * (the primary key) and not newest first: the prefix search and the cursor are then both
 * ranges of the one index the table has, so a page costs the same on a list of ten million.
 */
export function suppressionsPageQuery(db: Database, query: SuppressionQuery) {
  return db
    .select()
    .from(suppressions)
    .where(
      and(
        query.cursor !== undefined ? gt(suppressions.email, query.cursor) : undefined,
        query.search ? and(gte(suppressions.email, query.search), lt(suppressions.email, query.search + HIGHEST)) : undefined,
        query.reason ? eq(suppressions.reason, query.reason) : undefined,
      ),
    )
    .orderBy(suppressions.email)
    .limit(query.limit + 1);
}

/** One page of suppressed addresses in address order, filtered by reason and address prefix. */
export async function listSuppressions(db: Database, query: SuppressionQuery): Promise<SuppressionPage> {
  const rows = await suppressionsPageQuery(db, query);
  if (rows.length <= query.limit) return { rows, nextCursor: null };
  const page = rows.slice(0, query.limit);
  return { rows: page, nextCursor: page[page.length - 1]!.email };
}

/**
 * Suppresses addresses by hand (`reason: manual`), in one statement however many. An address
 * already suppressed keeps its reason (a hard bounce says more than "manual").
 * Addresses must already be trimmed, lower-cased and valid.
 */
export async function addManualSuppressions(db: Database, emails: readonly string[], detail: string | null): Promise<{ added: number; alreadySuppressed: number }> {
  const unique = [...new Set(emails)];
  if (unique.length === 0) return { added: 0, alreadySuppressed: 0 };
  const result = await db.run(sql`
    insert into ${suppressions} (email, reason, detail, created_at)
    select value, 'manual', ${detail}, ${Date.now()} from json_each(${sqlJson(unique)}) where true
    on conflict (email) do nothing`);
  return { added: result.rowsAffected, alreadySuppressed: unique.length - result.rowsAffected };
}

/**
 * Lifts the suppression of an address, and notes when, in one transaction: feedback about
 * mail from before the lift (a relay redelivering an old bounce) no longer suppresses it.
 * False when it was not suppressed.
 */
export async function deleteSuppression(db: Database, email: string): Promise<boolean> {
  const liftedAt = Date.now();
  const [rows] = await db.batch([
    db.delete(suppressions).where(eq(suppressions.email, email)).returning({ email: suppressions.email }),
    db
      .insert(suppressionLifts)
      .values({ email, liftedAt })
      .onConflictDoUpdate({ target: suppressionLifts.email, set: { liftedAt } }),
  ]);
  return rows.length > 0;
}
