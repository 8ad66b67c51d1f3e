// The local database for `wrangler dev`: the Node host's libSQL file, migrated, behind our
// Hrana server. Shared by `npm run dev:db` and `npm run dev:worker`.
import { z } from 'zod';
import { parseConfig } from '../shared/config';
import { startHranaServer, type HranaServer } from './hrana-server';
import { applyMigrations } from './migrate';
import { openDatabase } from './open-database';

export const localHranaConfigSchema = z.object({
  /** The file both hosts use; the same default as the Node host's. */
  DATABASE_URL: z
    .string()
    .refine((v) => v.startsWith('file:') && !v.includes(':memory:'), 'DATABASE_URL must be a file: URL here (the local server serves a file)')
    .default('file:data/edgepost.db'),
  /** Port of the Hrana server on 127.0.0.1; 0 picks a free one. */
  HRANA_PORT: z.coerce.number().int().min(0).max(65535),
});

export type LocalHranaConfig = z.infer<typeof localHranaConfigSchema>;

/** Parses the local server's settings from `env`; HRANA_PORT defaults to `defaultPort`. */
export function parseLocalHranaConfig(env: Record<string, string | undefined>, defaultPort: number): LocalHranaConfig {
  return parseConfig(localHranaConfigSchema, { ...env, HRANA_PORT: env.HRANA_PORT ?? defaultPort });
}

/** Applies pending migrations to the file, then serves it over Hrana on 127.0.0.1. */
export async function startLocalHrana(config: LocalHranaConfig): Promise<HranaServer> {
  const { client, db } = await openDatabase(config.DATABASE_URL);
  try {
    await applyMigrations(db);
  } finally {
    client.close();
  }
  return startHranaServer({ file: config.DATABASE_URL, port: config.HRANA_PORT });
}
