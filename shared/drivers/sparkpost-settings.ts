// Settings of the SparkPost driver. SparkPost US and SparkPost EU are separate accounts on
// separate hosts, so the region picks the API host; `endpoint` overrides it for a proxy or a
// local test server.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';

/** SparkPost's API base per region. */
export const sparkpostRegions = {
  us: 'https://api.sparkpost.com',
  eu: 'https://api.eu.sparkpost.com',
} as const;

export type SparkpostRegion = keyof typeof sparkpostRegions;

const regionNames = Object.keys(sparkpostRegions) as [SparkpostRegion, ...SparkpostRegion[]];

// Plain http only to this machine, so an API key never crosses a network in the clear.
const endpointOverride = z.url('endpoint must be a URL, e.g. https://sparkpost-proxy.internal').refine((value) => {
  // z.url has already reported a value that is no URL at all.
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}, 'endpoint must use https (http only for 127.0.0.1 or localhost)');

const sparkpostConfig = z.strictObject({
  region: z.enum(regionNames, { error: (issue) => `region ${JSON.stringify(issue.input)} does not exist; use us or eu (the region of your SparkPost account)` }).default('us'),
  endpoint: endpointOverride.optional(),
});

const sparkpostSecrets = z.strictObject({
  /** A SparkPost API key with the Transmissions: Read/Write permission. */
  apiKey: z.string({ error: (issue) => (issue.input === undefined ? 'apiKey is required: a SparkPost API key' : 'apiKey must be a string') }).trim().min(1, 'apiKey must not be empty'),
});

export const sparkpostSettings = {
  description: 'SparkPost Transmissions API: config region us or eu; secrets apiKey (Transmissions: Read/Write).',
  config: sparkpostConfig,
  secrets: sparkpostSecrets,
} satisfies DriverSettings;
