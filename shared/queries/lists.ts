// Lists and their subscriber counts.
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { campaignLists, listMembers, lists } from '../db/schema';
import { toPage, type Page } from './page';

export type ListRow = typeof lists.$inferSelect;
export type ListOptin = ListRow['optin'];

export interface ListCounts {
  subscribed: number;
  unconfirmed: number;
  unsubscribed: number;
}

export interface ListWithCounts extends ListRow {
  counts: ListCounts;
}

const countWhere = (status: string) =>
  sql<number>`count(case when ${listMembers.status} = ${status} then 1 end)`.mapWith(Number);

// Counted on read with one grouped join over the list_members primary key (list_id first).
// Fine for tens of thousands of members per list; past that, keep counters on the list.
function selectWithCounts(db: Database) {
  return db
    .select({
      id: lists.id,
      name: lists.name,
      optin: lists.optin,
      createdAt: lists.createdAt,
      updatedAt: lists.updatedAt,
      subscribed: countWhere('subscribed'),
      unconfirmed: countWhere('unconfirmed'),
      unsubscribed: countWhere('unsubscribed'),
    })
    .from(lists)
    .leftJoin(listMembers, eq(listMembers.listId, lists.id))
    .groupBy(lists.id)
    .$dynamic();
}

type CountedRow = ListRow & ListCounts;

function withCounts({ subscribed, unconfirmed, unsubscribed, ...list }: CountedRow): ListWithCounts {
  return { ...list, counts: { subscribed, unconfirmed, unsubscribed } };
}

export async function createList(db: Database, input: { name: string; optin: ListOptin }): Promise<ListWithCounts> {
  const [row] = await db.insert(lists).values(input).returning();
  return { ...row!, counts: { subscribed: 0, unconfirmed: 0, unsubscribed: 0 } };
}

/** One page of lists in id order, each with its member counts per status. */
export async function listLists(db: Database, page: { cursor?: number; limit: number }): Promise<Page<ListWithCounts>> {
  const rows = await selectWithCounts(db)
    .where(page.cursor ? gt(lists.id, page.cursor) : undefined)
    .orderBy(lists.id)
    .limit(page.limit + 1);
  const result = toPage(rows, page.limit);
  return { rows: result.rows.map(withCounts), nextCursor: result.nextCursor };
}

export async function getList(db: Database, id: number): Promise<ListWithCounts | null> {
  const [row] = await selectWithCounts(db).where(eq(lists.id, id));
  return row ? withCounts(row) : null;
}

export async function updateList(db: Database, id: number, patch: { name?: string; optin?: ListOptin }): Promise<ListWithCounts | null> {
  const [updated] = await db
    .update(lists)
    .set({ ...patch, updatedAt: Date.now() })
    .where(eq(lists.id, id))
    .returning({ id: lists.id });
  return updated ? getList(db, id) : null;
}

export type DeleteListResult = { deleted: true } | { deleted: false; usedByCampaigns: number[] } | null;

/**
 * Deletes a list and its memberships (the subscribers stay). A list that a campaign names
 * is kept, so the campaign's history still says whom it went to. Null: no such list.
 */
export async function deleteList(db: Database, id: number): Promise<DeleteListResult> {
  // One statement: the NOT EXISTS and the DELETE cannot be split by a campaign insert.
  const [deleted] = await db
    .delete(lists)
    .where(and(eq(lists.id, id), sql`not exists (select 1 from ${campaignLists} where ${campaignLists.listId} = ${id})`))
    .returning({ id: lists.id });
  if (deleted) return { deleted: true };
  const [exists] = await db.select({ id: lists.id }).from(lists).where(eq(lists.id, id));
  if (!exists) return null;
  const users = await db
    .select({ campaignId: campaignLists.campaignId })
    .from(campaignLists)
    .where(eq(campaignLists.listId, id))
    .orderBy(campaignLists.campaignId)
    .limit(20);
  return { deleted: false, usedByCampaigns: users.map((u) => u.campaignId) };
}

/** The ids among `ids` that name no list, in the order given. */
export async function findMissingListIds(db: Database, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = await db.select({ id: lists.id }).from(lists).where(inArray(lists.id, [...new Set(ids)]));
  const known = new Set(found.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}
