// PLACEHOLDER written by the lead so the registry compiles; the helper who owns this file replaces it whole.
import { z } from 'zod';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';

export const sendgridWebhook: RelayWebhook = {
  provider: 'sendgrid',
  settings: {
    description: 'SendGrid: config publicKey (the Signed Event Webhook verification key).',
    config: z.strictObject({ publicKey: z.string().trim().min(1, 'publicKey is required: the verification key SendGrid shows for the signed Event Webhook') }),
    secrets: z.strictObject({}),
  },
  async authenticate() {
    return { ok: false, reason: 'not implemented yet' };
  },
  parse() {
    throw new WebhookPayloadError('not implemented yet');
  },
};
