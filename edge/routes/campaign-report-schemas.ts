// Schemas of the campaign reports (time series, recipient domains, bounces and complaints)
// and of a subscriber's activity timeline: edge/routes/campaign-reports.ts.
import { z } from '@hono/zod-openapi';
import { eventTypes, messageStatuses } from '../../shared/db/schema';
import { parseActivityCursor } from '../../shared/queries/subscriber-activity';
import { PageLimit, PageQuery, pageOf, Timestamp } from '../api-schemas';

const count = z.number().int();

const BucketTally = z
  .object({
    total: count.openapi({ description: 'Events in the bucket.' }),
    unique: count.openapi({ description: 'Messages whose first such event fell in the bucket.' }),
    humanTotal: count.openapi({ description: 'Events not made by a machine.' }),
    humanUnique: count.openapi({ description: 'Messages whose first human event fell in the bucket.' }),
  })
  .openapi('BucketTally');

export const TimeseriesSchema = z
  .object({
    campaignId: count,
    points: z.array(
      z.object({
        at: Timestamp.openapi({ description: "The bucket's start." }),
        size: z.enum(['hour', 'day']).openapi({ description: 'Hours for the first 7 days after the campaign started, days after.' }),
        opened: BucketTally,
        clicked: BucketTally,
      }),
    ).openapi({ description: 'Only buckets with opens or clicks, oldest first.' }),
  })
  .openapi('CampaignTimeseries');

export const MAX_DOMAINS = 100;

export const DomainsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, `limit must be 1-${MAX_DOMAINS}`)
    .max(MAX_DOMAINS, `limit must be 1-${MAX_DOMAINS}`)
    .default(20)
    .openapi({ description: 'How many domains, most sent first.' }),
});

const Unique = z.object({ unique: count.openapi({ description: 'Distinct messages.' }), humanUnique: count.openapi({ description: 'Distinct messages with a human event.' }) });

export const DomainsSchema = z
  .object({
    campaignId: count,
    domains: z.array(
      z.object({
        domain: z.string().openapi({ description: "The recipient address's domain, lower-cased; empty when unknown." }),
        sent: count,
        delivered: count,
        bounced: z.object({ hard: count, soft: count }).openapi({ description: 'Bounced messages: hard if any of their bounces was, else soft.' }),
        complained: count,
        opened: Unique,
        clicked: Unique,
        unsubscribed: count,
      }),
    ).openapi({ description: 'Most sent first; counts are distinct messages.' }),
  })
  .openapi('CampaignDomains');

export const BouncesQuery = PageQuery;

const FeedbackEventSchema = z
  .object({
    id: count,
    type: z.enum(['bounce', 'complaint']),
    recipient: z.string().nullable().openapi({ description: 'The address the source reported.' }),
    bounceClass: z.enum(['hard', 'soft']).nullable().openapi({ description: 'For bounces: `hard` suppresses at once, `soft` only when repeated; null: the source did not say.' }),
    status: z.string().nullable().openapi({ description: 'Enhanced status code, e.g. `5.1.1`.' }),
    diagnostic: z.string().nullable().openapi({ description: "The remote server's answer or the relay's reason." }),
    feedbackType: z.string().nullable().openapi({ description: "A complaint's feedback type (`abuse`, `fraud`, …), when the source gave one." }),
    source: z.string().nullable().openapi({ description: 'The relay (`ses`, `mailgun`, …) or `bounce-inbox` that reported it.' }),
    messageId: count.nullable(),
    subscriberId: count.nullable(),
    occurredAt: Timestamp,
  })
  .openapi('FeedbackEvent');

export const BouncesSchema = pageOf(FeedbackEventSchema).openapi('CampaignBounces');

export const ActivityQuery = z.object({
  cursor: z
    .string()
    .refine((c) => parseActivityCursor(c) !== null, 'cursor must be the nextCursor of a previous page')
    .transform((c) => parseActivityCursor(c)!)
    .optional()
    .openapi({ type: 'string', description: 'The `nextCursor` of the previous page; omit for the newest items.' }),
  limit: PageLimit,
});

const campaignRef = z.object({ id: count, name: z.string().nullable().openapi({ description: 'Null when the campaign was deleted.' }) });

const MessageItem = z.object({
  kind: z.literal('message'),
  id: count.openapi({ description: "The message's id." }),
  at: Timestamp.openapi({ description: 'When it was sent (queued, while not sent yet).' }),
  campaign: campaignRef,
  status: z.enum(messageStatuses),
  sentAt: Timestamp.nullable(),
});

const EventItem = z.object({
  kind: z.literal('event'),
  id: count.openapi({ description: "The event's id." }),
  at: Timestamp.openapi({ description: 'When it happened at the source.' }),
  campaign: campaignRef.nullable().openapi({ description: 'Null for relay events that matched no message.' }),
  type: z.enum(eventTypes),
  messageId: count.nullable(),
  url: z.string().nullable().openapi({ description: 'The clicked URL, for clicks.' }),
  bounceClass: z.enum(['hard', 'soft']).nullable(),
  machine: z.boolean().nullable().openapi({ description: 'For opens and clicks: made by a machine (a mail proxy, a scanner); null: not classified.' }),
  machineReason: z.string().nullable().openapi({ description: 'Why it was judged a machine or a person (`apple-mpp`, `click-burst`, `human`, …).' }),
});

export const ActivitySchema = z
  .object({
    data: z.array(z.discriminatedUnion('kind', [MessageItem, EventItem])).openapi({ description: 'Newest first.' }),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next (older) page; null on the last one.' }),
  })
  .openapi('SubscriberActivity');
