// SendGrid's saved settings. SendGrid keeps EU regional subusers' data in the EU and serves
// them from their own API host; a key belongs to one region and is refused by the other.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';
import { endpointOverride } from './endpoint-override';

/** The API host of each SendGrid region, as SendGrid's API reference names them. */
export const sendgridRegionHosts = {
  global: 'https://api.sendgrid.com',
  eu: 'https://api.eu.sendgrid.com',
} as const;

export type SendgridRegion = keyof typeof sendgridRegionHosts;

export const sendgridSettings = {
  description: 'SendGrid v3 Mail Send API (secrets apiKey with the mail.send scope; region global or eu).',
  config: z.strictObject({
    region: z.enum(Object.keys(sendgridRegionHosts) as [SendgridRegion, ...SendgridRegion[]], {
      error: (issue) => `region ${JSON.stringify(issue.input)} does not exist; use global or eu (EU regional subusers)`,
    }).default('global'),
    /** Overrides the region's host, e.g. for a proxy; the region then only documents intent. */
    endpoint: endpointOverride('https://sendgrid-proxy.internal').optional(),
  }),
  secrets: z.strictObject({
    apiKey: z.string('apiKey is required: a SendGrid API key (SG.…) with Mail Send access').trim().min(1, 'apiKey must not be empty'),
  }),
} satisfies DriverSettings;
