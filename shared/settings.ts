// Install-wide settings a marketer changes at run time (stored in the `settings` table, one
// row per key). Every key has a default, so a fresh install needs no rows.
import { z } from 'zod';
import { trackingModes } from './db/tables/sending';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why `host` is not a DNS host name a tracking link can use, or null when it is one. */
function hostNameProblem(field: string, host: string): string | null {
  const example = `e.g. click.acme.example`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return `${field} must be a host name only, without the scheme (${example})`;
  if (/[/?#@\\]/.test(host)) return `${field} must be a host name only, without a path (${example})`;
  if (host.includes('[') || /^[0-9.]+$/.test(host) || host.split(':').length > 2) return `${field} must be a host name, not an IP address (${example})`;
  if (host.includes(':')) return `${field} must be a host name only, without a port: links use HTTPS on port 443 (${example})`;
  if (host.length > 253) return `${field} must be at most 253 characters`;
  const labels = host.split('.');
  if (labels.length < 2) return `${field} must be a full host name with a dot (${example})`;
  if (!labels.every((label) => LABEL.test(label))) {
    return `${field} must be a DNS host name: labels of letters, digits and hyphens, 1 to 63 characters, not starting or ending with a hyphen (${example})`;
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) return `${field} must be a host name, not an IP address (${example})`;
  return null;
}

/** Lower-case ASCII form; international names become their punycode (`xn--…`) form, as DNS holds them. */
function normaliseHost(host: string): string {
  const lower = host.trim().toLowerCase().replace(/\.$/, '');
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  try {
    return new URL(`https://${lower}/`).hostname;
  } catch {
    return lower;
  }
}

/** A DNS host name for tracking links (no scheme, port or path; not an IP literal), lower-cased. */
export function trackingDomainSchema(field: string) {
  return z
    .string()
    .transform(normaliseHost)
    .superRefine((host, ctx) => {
      const problem = hostNameProblem(field, host);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

export const settingsSchema = z.strictObject({
  /** Soft bounces (from distinct messages) within `softBounceDays` that retire an address. */
  softBounceLimit: z.number().int().min(1, 'softBounceLimit must be at least 1').max(100, 'softBounceLimit must be at most 100').default(3),
  /** The window of the soft-bounce rule, in days. */
  softBounceDays: z.number().int().min(1, 'softBounceDays must be at least 1 day').max(365, 'softBounceDays must be at most 365 days').default(30),
  /** Tracking of campaigns that do not choose their own: `on`, `anonymous` (counts without who) or `off`. */
  tracking: z.enum(trackingModes, { error: `tracking must be one of ${trackingModes.join(', ')}` }).default('on'),
  /** Host name of pixel and click links for campaigns that do not choose their own; null: PUBLIC_URL's. */
  trackingDomain: trackingDomainSchema('trackingDomain').nullable().default(null),
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingKey = keyof Settings;

export const defaultSettings: Settings = settingsSchema.parse({});
