// Settings of the SparkPost driver. SparkPost US and SparkPost EU are separate accounts on
// separate hosts, so the region picks the API host; `endpoint` overrides it for a proxy or a
// local test server.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';
import { endpointOverride } from './endpoint-override';

/** SparkPost's API base per region. */
export const sparkpostRegions = {
  us: 'https://api.sparkpost.com',
  eu: 'https://api.eu.sparkpost.com',
} as const;

export type SparkpostRegion = keyof typeof sparkpostRegions;

const regionNames = Object.keys(sparkpostRegions) as [SparkpostRegion, ...SparkpostRegion[]];

const sparkpostConfig = z.strictObject({
  region: z.enum(regionNames, { error: (issue) => `region ${JSON.stringify(issue.input)} does not exist; use us or eu (the region of your SparkPost account)` }).default('us'),
  endpoint: endpointOverride('https://sparkpost-proxy.internal').optional(),
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
