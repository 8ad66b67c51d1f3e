// PLACEHOLDER written by the lead so the registry compiles; the helper who owns this file replaces it whole.
import { z } from 'zod';
import { WebhookPayloadError, type RelayWebhook } from './relay-webhook';

export const elasticEmailWebhook: RelayWebhook = {
  provider: 'elasticemail',
  settings: {
    description: 'Elastic Email: secrets token (add ?token=<token> to the notification URL).',
    config: z.strictObject({}),
    secrets: z.strictObject({ token: z.string().min(24, 'token must be at least 24 characters (try: openssl rand -hex 16)') }),
  },
  async authenticate() {
    return { ok: false, reason: 'not implemented yet' };
  },
  parse() {
    throw new WebhookPayloadError('not implemented yet');
  },
};
