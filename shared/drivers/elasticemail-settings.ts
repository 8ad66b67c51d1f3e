// Settings of the Elastic Email driver (REST API v4). One API host worldwide; `endpoint`
// overrides it for a proxy or a local test server.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';
import { endpointOverride } from './endpoint-override';

export const elasticEmailApi = 'https://api.elasticemail.com/v4';

const elasticEmailConfig = z.strictObject({
  /** Elastic Email's channel (its name for a campaign in its own reports). */
  channelName: z.string('channelName must be text').trim().min(1, 'channelName must not be empty').max(60, 'channelName must be at most 60 characters').optional(),
  /** A custom IP pool of the account to send from. */
  poolName: z.string('poolName must be text').trim().min(1, 'poolName must not be empty').optional(),
  endpoint: endpointOverride('https://elasticemail-proxy.internal/v4').optional(),
});

const elasticEmailSecrets = z.strictObject({
  /** An API key with the SendHttp access level (and ViewReports, which the check and status use). */
  apiKey: z.string('apiKey is required: an Elastic Email API key').trim().min(1, 'apiKey must not be empty').regex(/^\S+$/, 'apiKey must not contain spaces: paste the key exactly'),
});

export const elasticEmailSettings = {
  description: 'Elastic Email API v4 (transactional send): optional config channelName, poolName; secrets apiKey (SendHttp and ViewReports access).',
  config: elasticEmailConfig,
  secrets: elasticEmailSecrets,
} satisfies DriverSettings;
