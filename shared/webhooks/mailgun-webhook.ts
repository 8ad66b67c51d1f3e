// PLACEHOLDER written by the lead so the registry compiles; the helper who owns this file replaces it whole.
import { z } from 'zod';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';

export const mailgunWebhook: RelayWebhook = {
  provider: 'mailgun',
  settings: {
    description: 'Mailgun: secrets signingKey (Sending, Webhooks, HTTP webhook signing key).',
    config: z.strictObject({}),
    secrets: z.strictObject({ signingKey: z.string().trim().min(1, 'signingKey is required: the HTTP webhook signing key from Mailgun') }),
  },
  async authenticate() {
    return { ok: false, reason: 'not implemented yet' };
  },
  parse() {
    throw new WebhookPayloadError('not implemented yet');
  },
};
