// PLACEHOLDER written by the lead so the registry compiles; the helper who owns this file replaces it whole.
import { z } from 'zod';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';

export const postmarkWebhook: RelayWebhook = {
  provider: 'postmark',
  settings: {
    description: 'Postmark: config username, secrets password (the basic-auth pair you put in the webhook URL).',
    config: z.strictObject({ username: z.string().trim().min(1, 'username is required: the basic-auth user of the webhook URL') }),
    secrets: z.strictObject({ password: z.string().min(16, 'password must be at least 16 characters') }),
  },
  async authenticate() {
    return { ok: false, reason: 'not implemented yet' };
  },
  parse() {
    throw new WebhookPayloadError('not implemented yet');
  },
};
