// Campaigns and the lists they go to. Content changes and state changes are conditional on
// the status in the same statement (see shared/campaign-state.ts), so a double click, or an
// edit racing the dispatcher, never acts on a campaign that has moved on.
import { and, desc, eq, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { campaignTransitions, type CampaignAction } from '../campaign-state';
import type { Database } from '../db/database';
import { campaignLists, campaignSendingServers, campaigns, lists, sendingServers, type CampaignStatus, type TrackingMode } from '../db/schema';
import { toPage, type Page } from './page';
import { settingValue } from './settings';

export type CampaignRow = typeof campaigns.$inferSelect;
export type CampaignFormat = CampaignRow['format'];

/** A server a campaign sends through, and its share of the messages. */
export interface CampaignServer {
  id: number;
  weight: number;
}

export interface CampaignWithLists extends CampaignRow {
  /** Ids of the lists it goes to, ascending. */
  lists: number[];
  /** Its servers in failover order; empty: the default server at send time. */
  sendingServers: CampaignServer[];
}

export interface CampaignContent {
  name: string;
  subject: string;
  fromAddress: string;
  /** Liquid, shown by inboxes after the subject; '' (the default): none. */
  preheader?: string;
  format: CampaignFormat;
  body: string;
  /** Null (the default): the install's setting; fixed when the campaign is sent (transitionCampaign). */
  tracking?: TrackingMode | null;
  /** Host name of the pixel and click links; null (the default): the install's setting in a draft, PUBLIC_URL's once sent. */
  trackingDomain?: string | null;
  /** Epoch ms; null: send as soon as it is sent. */
  sendAt: number | null;
}

// The list ids as a JSON array in the same row, so a page of campaigns is one query.
const listIds = sql<string>`(select json_group_array(${campaignLists.listId}) from ${campaignLists} where ${campaignLists.campaignId} = ${campaigns.id})`;

// Likewise the servers, in failover order (json_group_array keeps the subquery's order).
const serverList = sql<string>`(select json_group_array(json_object('id', s.sending_server_id, 'weight', s.weight)) from (
  select * from ${campaignSendingServers} where ${campaignSendingServers.campaignId} = ${campaigns.id}
  order by ${campaignSendingServers.position}) s)`;

export type CampaignSummary = Omit<CampaignWithLists, 'body'>;

function withLists<T extends { listIds: string; serverList: string }>({
  listIds: ids,
  serverList: servers,
  ...row
}: T): Omit<T, 'listIds' | 'serverList'> & { lists: number[]; sendingServers: CampaignServer[] } {
  return { ...row, lists: (JSON.parse(ids) as number[]).sort((a, b) => a - b), sendingServers: JSON.parse(servers) as CampaignServer[] };
}

/** Links `campaignIdSql` to `servers`, in order, when `guard` holds. Unknown ids were refused by the caller. */
function insertCampaignServers(db: Database, campaignIdSql: SQL, servers: CampaignServer[], guard: SQL = sql`1`) {
  const rows = JSON.stringify(servers.map((s, position) => ({ id: s.id, weight: s.weight, position })));
  return db.run(sql`
    insert into ${campaignSendingServers} (campaign_id, sending_server_id, weight, position)
    select (${campaignIdSql}), r.value ->> 'id', r.value ->> 'weight', r.value ->> 'position'
    from json_each(${rows}) r join ${sendingServers} ss on ss.id = r.value ->> 'id' where ${guard}`);
}

/** Links `campaignIdSql` to the existing lists among `ids`, when `guard` holds. */
function insertCampaignLists(db: Database, campaignIdSql: SQL, ids: number[], guard: SQL = sql`1`) {
  return db.run(sql`
    insert into ${campaignLists} (campaign_id, list_id)
    select (${campaignIdSql}), ${lists.id} from ${lists} where ${inArray(lists.id, ids)} and ${guard}`);
}

/** Creates a draft and its list links in one transaction. */
export async function createCampaign(
  db: Database,
  content: CampaignContent,
  listIdsToUse: number[],
  servers: CampaignServer[] = [],
): Promise<CampaignWithLists> {
  // Inside the batch's transaction the row just inserted has the highest id (SQLite gives
  // a new rowid max + 1), so the links can name it before its id is known to us.
  const newest = sql`select max(${campaigns.id}) from ${campaigns}`;
  const [[row]] = await db.batch([
    db.insert(campaigns).values(content).returning({ id: campaigns.id }),
    ...(listIdsToUse.length > 0 ? [insertCampaignLists(db, newest, listIdsToUse)] : []),
    ...(servers.length > 0 ? [insertCampaignServers(db, newest, servers)] : []),
  ]);
  return (await getCampaign(db, row!.id))!;
}

export async function getCampaign(db: Database, id: number): Promise<CampaignWithLists | null> {
  const [row] = await db
    .select({ ...getTableColumns(campaigns), listIds, serverList })
    .from(campaigns)
    .where(eq(campaigns.id, id));
  return row ? withLists(row) : null;
}

/** One page of campaigns, newest first, without their bodies (they can be megabytes each). */
export async function listCampaigns(
  db: Database,
  filter: { cursor?: number; limit: number; status?: CampaignStatus },
): Promise<Page<CampaignSummary>> {
  const { body: _body, ...columns } = getTableColumns(campaigns);
  const rows = await db
    .select({ ...columns, listIds, serverList })
    .from(campaigns)
    .where(
      and(
        filter.cursor ? lt(campaigns.id, filter.cursor) : undefined,
        filter.status ? eq(campaigns.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(campaigns.id))
    .limit(filter.limit + 1);
  const page = toPage(rows, filter.limit);
  return { rows: page.rows.map(withLists), nextCursor: page.nextCursor };
}

/** Null: no such campaign; `refusedInStatus`: its state forbids the action. */
export type CampaignWrite = CampaignWithLists | { refusedInStatus: CampaignStatus } | null;

async function refusal(db: Database, id: number): Promise<CampaignWrite> {
  const [row] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id));
  return row ? { refusedInStatus: row.status } : null;
}

/** Updates content and, when given, replaces the lists and the servers; only while editable. */
export async function updateCampaign(
  db: Database,
  id: number,
  content: Partial<CampaignContent>,
  listIdsToUse: number[] | undefined,
  servers?: CampaignServer[],
): Promise<CampaignWrite> {
  const editable = and(eq(campaigns.id, id), inArray(campaigns.status, [...campaignTransitions.edit.from]));
  // Every statement repeats the status check, so either all apply or none does.
  const stillEditable = sql`exists (select 1 from ${campaigns} where ${editable})`;
  const [updated] = await db.batch([
    db.update(campaigns).set({ ...content, ...keptFixed(content), updatedAt: Date.now() }).where(editable).returning({ id: campaigns.id }),
    ...(listIdsToUse
      ? [
          db.delete(campaignLists).where(and(eq(campaignLists.campaignId, id), stillEditable)),
          insertCampaignLists(db, sql`${id}`, listIdsToUse, stillEditable),
        ]
      : []),
    ...(servers
      ? [
          db.delete(campaignSendingServers).where(and(eq(campaignSendingServers.campaignId, id), stillEditable)),
          insertCampaignServers(db, sql`${id}`, servers, stillEditable),
        ]
      : []),
  ]);
  return updated.length > 0 ? getCampaign(db, id) : refusal(db, id);
}

/**
 * The tracking mode of an edit, as SQL. A scheduled campaign's tracking is fixed (below) and
 * its mode is never null: there a null, "the install's setting", becomes the install's mode
 * as it is now. A null domain needs nothing: past draft it means PUBLIC_URL, so what the API
 * showed comes back unchanged.
 */
function keptFixed(content: Partial<CampaignContent>) {
  if (content.tracking === undefined) return {};
  return { tracking: sql`coalesce(${content.tracking}, case when ${campaigns.status} <> 'draft' then ${settingValue('tracking')} end)` };
}

/**
 * Leaving draft fixes the campaign's tracking: a null ("the install's setting") becomes the
 * install's mode and domain as they are at that moment, so every sender, whenever it
 * compiles the campaign, tracks all its messages alike. Past draft a null domain means
 * PUBLIC_URL (docs/tracking.md).
 */
function fixedTracking() {
  return {
    tracking: sql`coalesce(${campaigns.tracking}, ${settingValue('tracking')})`,
    trackingDomain: sql`coalesce(${campaigns.trackingDomain}, ${settingValue('trackingDomain')})`,
  };
}

/**
 * Applies a marketer's action as one conditional UPDATE (`WHERE status IN (<from>)`), plus
 * `guard` when given. Actions that lead to `scheduled` when the send time is still ahead
 * decide it in SQL, against the row as it is at that moment; `send` fixes the tracking in
 * the same statement.
 */
export async function transitionCampaign(db: Database, id: number, action: CampaignAction, guard?: SQL): Promise<CampaignWrite> {
  const transition = campaignTransitions[action];
  const now = Date.now();
  const to = transition.to ?? campaigns.status;
  const status = transition.toWhenScheduled
    ? sql`case when ${campaigns.sendAt} > ${now} then ${transition.toWhenScheduled} else ${to} end`
    : to;
  const [updated] = await db
    .update(campaigns)
    .set({
      status,
      updatedAt: now,
      ...(transition.clearsClaim ? { claimedBy: null, leaseUntil: null } : {}),
      ...(transition.to === 'cancelled' ? { finishedAt: now } : {}),
      ...(action === 'send' ? fixedTracking() : {}),
    })
    .where(and(eq(campaigns.id, id), inArray(campaigns.status, [...transition.from]), guard))
    .returning({ id: campaigns.id });
  return updated ? getCampaign(db, id) : refusal(db, id);
}

/** What rendering a campaign needs: its content, and its tracking choices with the status that says whether they are fixed yet. */
export const campaignRenderColumns = {
  id: campaigns.id,
  name: campaigns.name,
  subject: campaigns.subject,
  preheader: campaigns.preheader,
  fromAddress: campaigns.fromAddress,
  format: campaigns.format,
  body: campaigns.body,
  tracking: campaigns.tracking,
  trackingDomain: campaigns.trackingDomain,
  status: campaigns.status,
};

/** What `send` needs to hold when it happens: a list to send to, and a server to send through. */
export function sendableGuard(id: number): SQL {
  return sql`exists (select 1 from ${campaignLists} where ${campaignLists.campaignId} = ${id})
    and (exists (select 1 from ${campaignSendingServers} where ${campaignSendingServers.campaignId} = ${id})
      or exists (select 1 from ${sendingServers} where ${sendingServers.isDefault} = 1))`;
}
