// The saved settings of each sending driver, as zod schemas: the edge validates them when a
// sending server is saved, and the sender plane parses them again before it connects.
// Adding a driver is one entry in `driverSettings`. Settings are split in two: `config` is
// shown back to the marketer, `secrets` is encrypted at rest and never returned.
import { z } from 'zod';
import { elasticEmailSettings } from './elasticemail-settings';
import { gmailSettings } from './gmail-settings';
import { mailgunSettings } from './mailgun-settings';
import { postmarkSettings } from './postmark-settings';
import { sendgridSettings } from './sendgrid-settings';
import { sesSettings } from './ses-settings';
import { smtpSettings } from './smtp-settings';
import { sparkpostSettings } from './sparkpost-settings';

export interface DriverSettings {
  /** One line for the API docs and the dashboard. */
  description: string;
  config: z.ZodType<Record<string, unknown>>;
  secrets: z.ZodType<Record<string, unknown>>;
  /** Rules that span config and secrets (e.g. DKIM settings need the DKIM key), on parsed values. */
  check?: (config: any, secrets: any) => SettingsProblem[];
}

export const driverSettings = {
  smtp: smtpSettings,
  gmail: gmailSettings,
  sendgrid: sendgridSettings,
  postmark: postmarkSettings,
  ses: sesSettings,
  mailgun: mailgunSettings,
  sparkpost: sparkpostSettings,
  elasticemail: elasticEmailSettings,
  capture: {
    description: 'Sends nothing: keeps each message in the local capture inbox (GET /api/captured-messages).',
    config: z.strictObject({}),
    secrets: z.strictObject({}),
  },
} satisfies Record<string, DriverSettings>;

export type DriverName = keyof typeof driverSettings;
export type DriverConfig<D extends DriverName> = z.output<(typeof driverSettings)[D]['config']>;
export type DriverSecrets<D extends DriverName> = z.output<(typeof driverSettings)[D]['secrets']>;

export const driverNames = Object.keys(driverSettings) as [DriverName, ...DriverName[]];

export function isDriverName(name: string): name is DriverName {
  return Object.hasOwn(driverSettings, name);
}

export interface SettingsProblem {
  /** Dotted path from the sending server, e.g. `config.port` or `secrets.pass`. */
  path: string;
  message: string;
}

export type SettingsCheck =
  | { ok: true; config: Record<string, unknown>; secrets: Record<string, unknown> }
  | { ok: false; problems: SettingsProblem[] };

/** Validates a driver's config and secrets together, returning them with defaults applied. */
export function checkDriverSettings(driver: string, config: unknown, secrets: unknown): SettingsCheck {
  if (!isDriverName(driver)) {
    return { ok: false, problems: [{ path: 'driver', message: `unknown driver "${driver}"; use one of: ${driverNames.join(', ')}` }] };
  }
  const settings: DriverSettings = driverSettings[driver];
  const parsedConfig = settings.config.safeParse(config);
  const parsedSecrets = settings.secrets.safeParse(secrets ?? {});
  const problems = [
    ...issuesAt('config', parsedConfig.error),
    ...issuesAt('secrets', parsedSecrets.error),
  ];
  if (!parsedConfig.success || !parsedSecrets.success) return { ok: false, problems };
  const crossProblems = settings.check?.(parsedConfig.data, parsedSecrets.data) ?? [];
  if (crossProblems.length > 0) return { ok: false, problems: crossProblems };
  return { ok: true, config: parsedConfig.data, secrets: parsedSecrets.data };
}

function issuesAt(prefix: string, error: z.ZodError | undefined): SettingsProblem[] {
  return (error?.issues ?? []).map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown setting(s) ${issue.keys.join(', ')}` : issue.message,
  }));
}
