// Settings of the Amazon SES driver (SES API v2). Credentials are an IAM access key pair
// (plus a session token for temporary credentials); the region picks the API host, since
// identities, quotas and configuration sets all live in one region.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';
import { endpointOverride } from './endpoint-override';

/** The regions where SES offers its API (the AWS General Reference's SES endpoint list). */
export const sesRegions = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1', 'us-gov-east-1', 'us-gov-west-1',
] as const;

export type SesRegion = (typeof sesRegions)[number];

/** The SES API v2 host of a region. */
export function sesEndpoint(region: SesRegion): string {
  return `https://email.${region}.amazonaws.com`;
}

const sesConfig = z.strictObject({
  region: z.enum(sesRegions, {
    error: (issue) => `region ${typeof issue.input === 'string' ? issue.input : JSON.stringify(issue.input)} does not exist; use the SES region your identities are verified in, e.g. us-east-1 or eu-west-1`,
  }),
  /** Configuration set whose event destinations report deliveries, bounces and complaints. */
  configurationSetName: z
    .string('configurationSetName must be the name of an SES configuration set')
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'configurationSetName must be 1-64 letters, digits, _ or - (the name of an SES configuration set)')
    .optional(),
  endpoint: endpointOverride('https://ses-proxy.internal').optional(),
});

const sesSecrets = z.strictObject({
  accessKeyId: z.string('accessKeyId is required: an AWS access key id, e.g. AKIAIOSFODNN7EXAMPLE').trim().regex(/^[A-Z0-9]{16,128}$/, 'accessKeyId must be an AWS access key id: 16-128 capital letters and digits, e.g. AKIAIOSFODNN7EXAMPLE'),
  secretAccessKey: z.string('secretAccessKey is required: the secret of the access key').trim().min(16, 'secretAccessKey looks too short: paste the whole secret access key (usually 40 characters)'),
  /** Only for temporary credentials (keys starting ASIA). */
  sessionToken: z.string().trim().min(1, 'sessionToken must not be empty; leave it out for long-term keys').optional(),
});

export const sesSettings = {
  description: 'Amazon SES API v2 (SendEmail, raw MIME): config region, optional configurationSetName for events; secrets accessKeyId, secretAccessKey, optional sessionToken.',
  config: sesConfig,
  secrets: sesSecrets,
} satisfies DriverSettings;
