// Every column that holds text sealed with the secrets key (shared/secret-box.ts), read and
// rewritten by `secrets rekey` when SECRET_KEY is rotated.
import { isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { relayWebhooks, sendingServers, webhookEndpoints } from '../db/schema';

/** The sealed columns, by the table that holds them. */
const SEALED = {
  sending_servers: { table: sendingServers, id: sendingServers.id, sealed: sendingServers.secrets },
  relay_webhooks: { table: relayWebhooks, id: relayWebhooks.id, sealed: relayWebhooks.secrets },
  webhook_endpoints: { table: webhookEndpoints, id: webhookEndpoints.id, sealed: webhookEndpoints.secret },
} as const;

export type SealedTable = keyof typeof SEALED;
export const sealedTables = Object.keys(SEALED) as SealedTable[];

export interface SealedRow {
  id: number;
  sealed: string;
}

/** A row's sealed text, before and after it was sealed again. */
export interface Reseal extends SealedRow {
  resealed: string;
}

/** Every row of the table that holds sealed text. */
export async function listSealed(db: Database, table: SealedTable): Promise<SealedRow[]> {
  const { table: t, id, sealed } = SEALED[table];
  const rows = await db.select({ id, sealed }).from(t).where(isNotNull(sealed)).orderBy(id);
  return rows.filter((row): row is SealedRow => row.sealed !== null);
}

/**
 * Writes the resealed texts in one transaction and returns how many rows took them. A row
 * changed since it was read (the API saved new secrets) keeps its newer text: the update is
 * conditional on the text read, so a rekey never overwrites a fresh save.
 */
export async function replaceSealed(db: Database, table: SealedTable, reseals: readonly Reseal[]): Promise<number> {
  if (reseals.length === 0) return 0;
  const { id, sealed } = SEALED[table];
  const statements = reseals.map((r) =>
    db.run(sql`update ${sql.identifier(table)} set ${sql.identifier(sealed.name)} = ${r.resealed} where ${sql.identifier(id.name)} = ${r.id} and ${sql.identifier(sealed.name)} = ${r.sealed}`),
  );
  const results = await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return results.reduce((sum, result) => sum + result.rowsAffected, 0);
}
