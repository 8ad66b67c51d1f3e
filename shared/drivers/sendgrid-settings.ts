// SendGrid's saved settings. SendGrid keeps EU regional subusers' data in the EU and serves
// them from their own API host; a key belongs to one region and is refused by the other.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';

/** The API host of each SendGrid region, as SendGrid's API reference names them. */
export const sendgridRegionHosts = {
  global: 'https://api.sendgrid.com',
  eu: 'https://api.eu.sendgrid.com',
} as const;

export type SendgridRegion = keyof typeof sendgridRegionHosts;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An API base URL: https, or http on loopback only (local fakes and test proxies). */
const endpointOverride = z
  .url('endpoint must be a URL, e.g. https://sendgrid-proxy.internal')
  // zod runs refinements after a failed url check too: only judge what parses.
  .refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    return !url || url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'endpoint must use https (http only for 127.0.0.1 or localhost)')
  .refine((value) => !URL.canParse(value) || (!new URL(value).search && !new URL(value).hash), 'endpoint must not have a query or fragment');

export const sendgridSettings = {
  description: 'SendGrid v3 Mail Send API (secrets apiKey with the mail.send scope; region global or eu).',
  config: z.strictObject({
    region: z.enum(Object.keys(sendgridRegionHosts) as [SendgridRegion, ...SendgridRegion[]], {
      error: (issue) => `region ${JSON.stringify(issue.input)} does not exist; use global or eu (EU regional subusers)`,
    }).default('global'),
    /** Overrides the region's host, e.g. for a proxy; the region then only documents intent. */
    endpoint: endpointOverride.optional(),
  }),
  secrets: z.strictObject({
    apiKey: z.string('apiKey is required: a SendGrid API key (SG.…) with Mail Send access').trim().min(1, 'apiKey must not be empty'),
  }),
} satisfies DriverSettings;
