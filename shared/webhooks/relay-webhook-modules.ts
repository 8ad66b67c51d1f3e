// Every relay whose webhooks Edgepost accepts, by the name in `POST /hooks/:provider`.
import type { WebhookProvider } from '../feedback/delivery-event';
import { elasticEmailWebhook } from './elasticemail-webhook';
import { mailgunWebhook } from './mailgun-webhook';
import { postmarkWebhook } from './postmark-webhook';
import type { RelayWebhook } from './relay-webhook';
import { sendgridWebhook } from './sendgrid-webhook';
import { sesWebhook } from './ses-webhook';
import { sparkpostWebhook } from './sparkpost-webhook';

export const relayWebhookModules: Record<WebhookProvider, RelayWebhook> = {
  ses: sesWebhook,
  mailgun: mailgunWebhook,
  sendgrid: sendgridWebhook,
  postmark: postmarkWebhook,
  sparkpost: sparkpostWebhook,
  elasticemail: elasticEmailWebhook,
};
