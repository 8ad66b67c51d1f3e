// Settings: one row per changed key; reads fill in the defaults of shared/settings.ts.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { settings } from '../db/schema';
import { defaultSettings, settingsSchema, type SettingKey, type Settings } from '../settings';

/** Every setting, stored values over defaults (a stored value a newer version no longer accepts falls back to the default). */
export async function getSettings(db: Database): Promise<Settings> {
  const rows = await db.select().from(settings);
  const merged: Record<string, unknown> = { ...defaultSettings };
  for (const row of rows) if (Object.hasOwn(defaultSettings, row.key)) merged[row.key] = row.value;
  const parsed = settingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : defaultSettings;
}

/** Validates and stores the given keys in one statement; returns every setting after the change. */
export async function updateSettings(db: Database, changes: Partial<Settings>): Promise<Settings> {
  const next = settingsSchema.parse({ ...(await getSettings(db)), ...changes });
  const keys = Object.keys(changes) as SettingKey[];
  if (keys.length > 0) {
    await db
      .insert(settings)
      // The JSON text itself, as drizzle would write it, so a null setting is stored as `null`, not as SQL NULL.
      .values(keys.map((key) => ({ key, value: sql`${JSON.stringify(next[key])}`, updatedAt: Date.now() })))
      .onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } });
  }
  return next;
}

/** A setting's value inside a statement, so a write that depends on it needs no read first. */
export function settingValue(key: SettingKey): SQL {
  // `->> '$'` turns the stored JSON text into an SQL value: text '3' would compare above every integer.
  return sql`coalesce((select value ->> '$' from ${settings} where key = ${key}), ${defaultSettings[key]})`;
}
