// Subscribers and their list memberships. Every write that touches both tables is one
// db.batch (one transaction), so a subscriber never exists with half its lists.
import { and, eq, getTableColumns, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sqlJson } from '../db/sql-json';
import { listMembers, lists, subscribers } from '../db/schema';
import { countQueuedEnding } from './message-counts';
import { toPage, type Page } from './page';
import { isUniqueViolation } from './unique-violation';

export type SubscriberRow = typeof subscribers.$inferSelect;
export type SubscriberStatus = SubscriberRow['status'];
export type MembershipStatus = (typeof listMembers.$inferSelect)['status'];

export interface Membership {
  listId: number;
  listName: string;
  status: MembershipStatus;
  createdAt: number;
  updatedAt: number;
}

export interface SubscriberWithLists extends SubscriberRow {
  lists: Membership[];
}

/** A write refused because another subscriber already has the address. */
export interface DuplicateEmail {
  duplicateOf: number;
}

/**
 * Memberships for `subscriberSql` on the lists `listIds` that exist, in one statement. A
 * double opt-in list starts them `unconfirmed` unless `preconfirm`; an existing membership
 * is left as it is, so adding a list again never undoes an unsubscribe.
 */
function addMemberships(db: Database, subscriberSql: SQL, listIds: number[], preconfirm: boolean) {
  const status = preconfirm ? sql`'subscribed'` : sql`case ${lists.optin} when 'double' then 'unconfirmed' else 'subscribed' end`;
  return db.run(sql`
    insert into ${listMembers} (list_id, subscriber_id, status)
    select ${lists.id}, (${subscriberSql}), ${status} from ${lists}
    where ${inArray(lists.id, listIds)} and (${subscriberSql}) is not null
    on conflict (list_id, subscriber_id) do nothing`);
}

function selectMemberships(db: Database, subscriberId: number) {
  return db
    .select({
      listId: listMembers.listId,
      listName: lists.name,
      status: listMembers.status,
      createdAt: listMembers.createdAt,
      updatedAt: listMembers.updatedAt,
    })
    .from(listMembers)
    .innerJoin(lists, eq(lists.id, listMembers.listId))
    .where(eq(listMembers.subscriberId, subscriberId))
    .orderBy(listMembers.listId);
}

async function findIdByEmail(db: Database, email: string): Promise<number | null> {
  const [row] = await db.select({ id: subscribers.id }).from(subscribers).where(eq(subscribers.email, email));
  return row?.id ?? null;
}

export interface NewSubscriber {
  /** Already normalised (trimmed, lower-cased) by the caller's validation. */
  email: string;
  name: string;
  attributes: Record<string, unknown>;
  status: SubscriberStatus;
  lists: number[];
  preconfirm: boolean;
}

/** Creates a subscriber with its memberships, or says which subscriber has the address. */
export async function createSubscriber(db: Database, input: NewSubscriber): Promise<SubscriberWithLists | DuplicateEmail> {
  const existing = await findIdByEmail(db, input.email);
  if (existing !== null) return { duplicateOf: existing };
  const byEmail = sql`select ${subscribers.id} from ${subscribers} where ${subscribers.email} = ${input.email}`;
  try {
    const [[row]] = await db.batch([
      db
        .insert(subscribers)
        .values({ email: input.email, name: input.name, attributes: input.attributes, status: input.status })
        .returning(),
      ...(input.lists.length > 0 ? [addMemberships(db, byEmail, input.lists, input.preconfirm)] : []),
    ]);
    return { ...row!, lists: await selectMemberships(db, row!.id) };
  } catch (err) {
    // Another request created the address between our check and our insert.
    const winner = isUniqueViolation(err, 'subscribers.email') ? await findIdByEmail(db, input.email) : null;
    if (winner !== null) return { duplicateOf: winner };
    throw err;
  }
}

export interface SubscriberFilter {
  /** Only members of this list... */
  list?: number;
  /** ...whose membership has this status. */
  listStatus?: MembershipStatus;
  status?: SubscriberStatus;
  /** Part of the address or of the name, case-insensitive (ASCII letters only, as SQLite's LIKE). */
  search?: string;
  /** Attributes that must equal these values: a string, or the JSON text of a number or boolean (`30`, `true`). */
  attributes?: Record<string, string>;
}

export interface SubscriberPageQuery extends SubscriberFilter {
  cursor?: number;
  limit: number;
}

/**
 * The filter's conditions on the subscriber row (the list is selectSubscriberPage's). No
 * index serves them: pages go in id order, so a page walks subscribers (or a list's
 * members) by id and stops once it is full. A common match costs a page's worth of rows;
 * a rare one, a scan (see docs/benchmarks.md).
 */
function subscriberConditions(filter: SubscriberFilter): SQL | undefined {
  // Addresses are stored lower-cased, so a lower-cased pattern is a case-insensitive search.
  const pattern = filter.search ? `%${escapeLike(filter.search.toLowerCase())}%` : undefined;
  const search = pattern
    ? sql`(${subscribers.email} like ${pattern} escape '\\' or ${subscribers.name} like ${pattern} escape '\\')`
    : undefined;
  // `->` gives the value as JSON text: "Lyon" for a string, 30 for a number, true for a
  // boolean; so `Lyon`, `30` and `true` each find what a marketer means by them.
  const attributes = Object.entries(filter.attributes ?? {}).map(
    ([key, value]) => sql`(${subscribers.attributes} -> ${`$."${key}"`}) in (json_quote(${value}), ${value})`,
  );
  return and(filter.status ? eq(subscribers.status, filter.status) : undefined, search, ...attributes);
}

function membershipConditions(filter: SubscriberFilter & { list: number }): SQL | undefined {
  return and(eq(listMembers.listId, filter.list), filter.listStatus ? eq(listMembers.status, filter.listStatus) : undefined);
}

export interface ExportedSubscriber extends SubscriberRow {
  /** The membership's status on the filter's list; null without a list. */
  listStatus: MembershipStatus | null;
}

/**
 * Up to `limit` filtered subscribers after `cursor`, in id order, with their status on the
 * list (the CSV export's rows). With a list, the page is read from the list's members,
 * whose primary key (list, subscriber) is in subscriber order: a list of a hundred in a
 * table of millions costs a page, not a scan of the table.
 */
export async function selectSubscriberPage(db: Database, query: SubscriberPageQuery): Promise<ExportedSubscriber[]> {
  const columns = getTableColumns(subscribers);
  if (query.list === undefined) {
    return db
      .select({ ...columns, listStatus: sql<null>`null` })
      .from(subscribers)
      .where(and(query.cursor ? gt(subscribers.id, query.cursor) : undefined, subscriberConditions(query)))
      .orderBy(subscribers.id)
      .limit(query.limit);
  }
  return db
    .select({ ...columns, listStatus: listMembers.status })
    .from(listMembers)
    .innerJoin(subscribers, eq(subscribers.id, listMembers.subscriberId))
    .where(
      and(
        membershipConditions({ ...query, list: query.list }),
        query.cursor ? gt(listMembers.subscriberId, query.cursor) : undefined,
        subscriberConditions(query),
      ),
    )
    .orderBy(listMembers.subscriberId)
    .limit(query.limit);
}

/** One page of subscribers in id order (without memberships). */
export async function listSubscribers(db: Database, query: SubscriberPageQuery): Promise<Page<SubscriberRow>> {
  const rows = await selectSubscriberPage(db, { ...query, limit: query.limit + 1 });
  return toPage(
    rows.map(({ listStatus: _, ...subscriber }) => subscriber),
    query.limit,
  );
}

/** The attribute keys the filtered subscribers have, in order (at most `limit`): the export's columns. */
export async function listAttributeKeys(db: Database, filter: SubscriberFilter, limit: number): Promise<string[]> {
  const source =
    filter.list === undefined
      ? sql`${subscribers}`
      : sql`${listMembers} join ${subscribers} on ${subscribers.id} = ${listMembers.subscriberId} and ${membershipConditions({ ...filter, list: filter.list })}`;
  const rows = await db.all<{ key: string }>(sql`
    select distinct j.key as key from ${source}, json_each(${subscribers.attributes}) as j
    where ${subscriberConditions(filter) ?? sql`true`}
    order by j.key limit ${limit}`);
  return rows.map((r) => r.key);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function getSubscriber(db: Database, id: number): Promise<SubscriberWithLists | null> {
  const [[row], memberships] = await db.batch([
    db.select().from(subscribers).where(eq(subscribers.id, id)),
    selectMemberships(db, id),
  ]);
  return row ? { ...row, lists: memberships } : null;
}

export interface SubscriberPatch {
  email?: string;
  name?: string;
  attributes?: Record<string, unknown>;
  /** `merge`: RFC 7396 JSON merge patch (nested objects merge, null removes a key); `replace`: the new object. */
  attributesMode: 'merge' | 'replace';
  status?: SubscriberStatus;
  addLists: number[];
  removeLists: number[];
  preconfirm: boolean;
}

/** Applies a patch in one transaction; null when there is no such subscriber. */
export async function updateSubscriber(db: Database, id: number, patch: SubscriberPatch): Promise<SubscriberWithLists | DuplicateEmail | null> {
  const attributes =
    patch.attributes === undefined
      ? undefined
      : patch.attributesMode === 'replace'
        ? patch.attributes
        : sql`json_patch(${subscribers.attributes}, ${sqlJson(patch.attributes)})`;
  const byId = sql`select ${subscribers.id} from ${subscribers} where ${subscribers.id} = ${id}`;
  try {
    const [updated] = await db.batch([
      db
        .update(subscribers)
        .set({ email: patch.email, name: patch.name, attributes, status: patch.status, updatedAt: Date.now() })
        .where(eq(subscribers.id, id))
        .returning({ id: subscribers.id }),
      ...(patch.addLists.length > 0 ? [addMemberships(db, byId, patch.addLists, patch.preconfirm)] : []),
      ...(patch.removeLists.length > 0
        ? [db.delete(listMembers).where(and(eq(listMembers.subscriberId, id), inArray(listMembers.listId, patch.removeLists)))]
        : []),
    ]);
    if (updated.length === 0) return null;
  } catch (err) {
    const owner = patch.email && isUniqueViolation(err, 'subscribers.email') ? await findIdByEmail(db, patch.email) : null;
    if (owner !== null) return { duplicateOf: owner };
    throw err;
  }
  return getSubscriber(db, id);
}

/**
 * Deletes a subscriber with its memberships and messages (foreign keys cascade). The
 * campaign counters keep the messages (history), its still-queued ones as cancelled: they
 * will never be sent, and a campaign must not count them as awaiting an outcome forever.
 */
export async function deleteSubscriber(db: Database, id: number): Promise<boolean> {
  const [, rows] = await db.batch([
    db.run(countQueuedEnding(sql`select id from messages where subscriber_id = ${id}`, 'cancelled')),
    db.delete(subscribers).where(eq(subscribers.id, id)).returning({ id: subscribers.id }),
  ]);
  return rows.length > 0;
}
