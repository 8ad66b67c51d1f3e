// Settings of the Mailgun driver. Mailgun keeps a domain in one region only, so the region
// picks the API host; `endpoint` overrides it for a proxy or a local test server.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';
import { endpointOverride } from './endpoint-override';

/** Mailgun's API host per region (a domain lives in exactly one). */
export const mailgunRegions = {
  us: 'https://api.mailgun.net',
  eu: 'https://api.eu.mailgun.net',
} as const;

export type MailgunRegion = keyof typeof mailgunRegions;

// At least two labels: Mailgun domains are always subdomains or registered domains.
const DOMAIN_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const regionNames = Object.keys(mailgunRegions) as [MailgunRegion, ...MailgunRegion[]];

const mailgunConfig = z.strictObject({
  /** The sending domain as Mailgun knows it, e.g. mg.shop.example. */
  domain: z.string({ error: 'domain is required: your Mailgun sending domain, e.g. mg.shop.example' }).trim().regex(DOMAIN_NAME, 'domain must be your Mailgun sending domain, e.g. mg.shop.example'),
  region: z.enum(regionNames, { error: (issue) => `region ${JSON.stringify(issue.input)} does not exist; use us or eu (the region your Mailgun domain was created in)` }).default('us'),
  endpoint: endpointOverride('https://mailgun-proxy.internal').optional(),
});

const mailgunSecrets = z.strictObject({
  /** A Mailgun API key (the private key, or a domain sending key for sending only). */
  apiKey: z.string({ error: (issue) => (issue.input === undefined ? 'apiKey is required: a Mailgun API key' : 'apiKey must be a string') }).trim().min(1, 'apiKey must not be empty'),
});

export const mailgunSettings = {
  description: 'Mailgun HTTP API (messages.mime): config domain, region us or eu; secrets apiKey.',
  config: mailgunConfig,
  secrets: mailgunSecrets,
} satisfies DriverSettings;
