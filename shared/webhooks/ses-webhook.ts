// PLACEHOLDER written by the lead so the registry compiles; the helper who owns this file replaces it whole.
import { z } from 'zod';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';

export const sesWebhook: RelayWebhook = {
  provider: 'ses',
  settings: {
    description: 'Amazon SES through SNS: config topicArns (the SNS topics your SES events publish to).',
    config: z.strictObject({ topicArns: z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/, 'each topic ARN must look like arn:aws:sns:eu-west-1:123456789012:ses-events')).min(1, 'topicArns needs at least one SNS topic ARN') }),
    secrets: z.strictObject({}),
  },
  async authenticate() {
    return { ok: false, reason: 'not implemented yet' };
  },
  parse() {
    throw new WebhookPayloadError('not implemented yet');
  },
};
