// Install-wide settings a marketer changes at run time (stored in the `settings` table, one
// row per key). Every key has a default, so a fresh install needs no rows.
import { z } from 'zod';

export const settingsSchema = z.strictObject({
  /** Soft bounces (from distinct messages) within `softBounceDays` that retire an address. */
  softBounceLimit: z.number().int().min(1, 'softBounceLimit must be at least 1').max(100, 'softBounceLimit must be at most 100').default(3),
  /** The window of the soft-bounce rule, in days. */
  softBounceDays: z.number().int().min(1, 'softBounceDays must be at least 1 day').max(365, 'softBounceDays must be at most 365 days').default(30),
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingKey = keyof Settings;

export const defaultSettings: Settings = settingsSchema.parse({});
