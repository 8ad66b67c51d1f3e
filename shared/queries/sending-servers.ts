// Sending servers (relays and their credentials). There is exactly one default while any
// server exists: every write that could break that is one batch that repairs it.
import { and, desc, eq, gt, ne, sql } from 'drizzle-orm';
import { finalCampaignStatuses } from '../campaign-state';
import type { Database } from '../db/database';
import type { DomainRates, Rate } from '../drivers/rate-limits';
import { campaignSendingServers, campaigns, sendingServers } from '../db/schema';
import { toPage, type Page } from './page';

export type SendingServerRow = typeof sendingServers.$inferSelect;

const hasDefault = sql`exists (select 1 from ${sendingServers} where ${sendingServers.isDefault} = 1)`;

/** Makes the oldest server the default when none is, e.g. after the default was deleted. */
function ensureDefault(db: Database) {
  return db
    .update(sendingServers)
    .set({ isDefault: true })
    .where(
      and(
        eq(sendingServers.id, sql`(select min(${sendingServers.id}) from ${sendingServers})`),
        sql`not ${hasDefault}`,
      ),
    );
}

export interface NewSendingServer {
  name: string;
  driver: string;
  config: Record<string, unknown>;
  /** Sealed with shared/secret-box.ts, or null when the driver has no secrets set. */
  secrets: string | null;
  /** The server's rate; null: unthrottled. */
  rate: Rate | null;
  /** Rates per recipient domain (lower case); a PATCH replaces the whole map. */
  domainRates: DomainRates;
  isDefault: boolean;
}

/** Creates a server; the first one becomes the default whatever `isDefault` says. */
export async function createSendingServer(db: Database, input: NewSendingServer): Promise<SendingServerRow> {
  const { isDefault, ...values } = input;
  if (!isDefault) {
    const [row] = await db
      .insert(sendingServers)
      .values({ ...values, isDefault: sql`not ${hasDefault}` })
      .returning();
    return row!;
  }
  const [, [row]] = await db.batch([
    db.update(sendingServers).set({ isDefault: false }).where(eq(sendingServers.isDefault, true)),
    db.insert(sendingServers).values({ ...values, isDefault: true }).returning(),
  ]);
  return row!;
}

/** One page of servers in id order. */
export async function listSendingServers(db: Database, page: { cursor?: number; limit: number }): Promise<Page<SendingServerRow>> {
  const rows = await db
    .select()
    .from(sendingServers)
    .where(page.cursor ? gt(sendingServers.id, page.cursor) : undefined)
    .orderBy(sendingServers.id)
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function getSendingServer(db: Database, id: number): Promise<SendingServerRow | null> {
  const [row] = await db.select().from(sendingServers).where(eq(sendingServers.id, id));
  return row ?? null;
}

/** The server a campaign without its own server sends through, or null when there is none. */
export async function getDefaultSendingServer(db: Database): Promise<SendingServerRow | null> {
  const [row] = await db.select().from(sendingServers).where(eq(sendingServers.isDefault, true)).orderBy(sendingServers.id).limit(1);
  return row ?? null;
}

export type SendingServerPatch = Partial<Omit<NewSendingServer, 'isDefault'>> & { makeDefault?: boolean };

/** Updates a server; `makeDefault` moves the default to it in the same batch. Null: no such server. */
export async function updateSendingServer(db: Database, id: number, patch: SendingServerPatch): Promise<SendingServerRow | null> {
  const { makeDefault, ...values } = patch;
  // New settings make the last live check meaningless.
  const settingsChanged = values.driver !== undefined || values.config !== undefined || values.secrets !== undefined;
  const update = db
    .update(sendingServers)
    .set({
      ...values,
      ...(makeDefault ? { isDefault: true } : {}),
      ...(settingsChanged ? { checkedAt: null, checkProblems: null } : {}),
      updatedAt: Date.now(),
    })
    .where(eq(sendingServers.id, id))
    .returning();
  if (!makeDefault) return (await update)[0] ?? null;
  // Clearing the others only when this server exists, so a bad id cannot leave no default.
  const [, [row]] = await db.batch([
    db
      .update(sendingServers)
      .set({ isDefault: false })
      .where(and(ne(sendingServers.id, id), sql`exists (select 1 from ${sendingServers} where ${sendingServers.id} = ${id})`)),
    update,
  ]);
  return row ?? null;
}

export type DeleteSendingServerResult = { deleted: true } | { deleted: false; reason: string } | null;

// Campaigns in these states are not waiting to send, so they do not need a server.
const idleStatuses = sql`(${sql.join(
  [...finalCampaignStatuses, 'draft'].map((s) => sql`${s}`),
  sql`, `,
)})`;

/**
 * Deletes a server unless a campaign names it, or unless it is the last server while
 * campaigns under way rely on the default. Another server becomes the default if needed.
 */
export async function deleteSendingServer(db: Database, id: number): Promise<DeleteSendingServerResult> {
  const namedByCampaign = sql`exists (select 1 from ${campaignSendingServers} where ${campaignSendingServers.sendingServerId} = ${id})`;
  const reliesOnDefault = sql`exists (select 1 from ${campaigns} where ${campaigns.status} not in ${idleStatuses}
    and not exists (select 1 from ${campaignSendingServers} where ${campaignSendingServers.campaignId} = ${campaigns.id}))`;
  const lastServer = sql`not exists (select 1 from ${sendingServers} where ${sendingServers.id} <> ${id})`;
  // The conditions sit in the DELETE itself, so no campaign can slip in between check and delete.
  const [deleted] = await db.batch([
    db
      .delete(sendingServers)
      .where(and(eq(sendingServers.id, id), sql`not ${namedByCampaign}`, sql`not (${lastServer} and ${reliesOnDefault})`))
      .returning({ id: sendingServers.id }),
    ensureDefault(db),
  ]);
  if (deleted.length > 0) return { deleted: true };
  if (!(await getSendingServer(db, id))) return null;
  const named = await db
    .select({ id: campaignSendingServers.campaignId })
    .from(campaignSendingServers)
    .where(eq(campaignSendingServers.sendingServerId, id))
    .orderBy(desc(campaignSendingServers.campaignId))
    .limit(20);
  if (named.length > 0) return { deleted: false, reason: `campaign(s) ${named.map((c) => c.id).join(', ')} send through it` };
  return { deleted: false, reason: 'it is the only sending server and campaigns under way send through the default; add another server first' };
}
