// Request and response schemas of the campaigns API.
import { z } from '@hono/zod-openapi';
import { campaignStatuses, trackingModes } from '../../shared/db/schema';
import { MAX_PREHEADER } from '../../shared/render/compile-campaign';
import { parseMailbox } from '../../shared/render/email-address';
import { trackingDomainSchema } from '../../shared/settings';
import { Timestamp } from '../api-schemas';

const FromAddress = z
  .string()
  .trim()
  .min(1, 'from must not be empty')
  .max(320, 'from must be at most 320 characters')
  .superRefine((text, ctx) => {
    // The renderer's own parser, so what is accepted here is what the sender can send.
    const parsed = parseMailbox(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .openapi({ description: '`Name <address>`, `"Name, Inc" <address>` or a bare address.', example: 'Acme News <news@acme.example>' });

const Name = z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters');
const Subject = z
  .string()
  .trim()
  .min(1, 'subject must not be empty')
  .max(998, 'subject must be at most 998 characters')
  .refine((s) => !/[\r\n]/.test(s), 'subject must be on one line')
  .openapi({ description: 'Liquid merge tags allowed, e.g. `Hello {{ subscriber.name | default: "friend" }}`.' });
export const Preheader = z
  .string()
  .max(MAX_PREHEADER, `preheader must be at most ${MAX_PREHEADER} characters`)
  .openapi({
    description: 'The preview line inbox lists show after the subject, hidden in the HTML body (not in text bodies); Liquid merge tags allowed. Empty: none.',
  });
const Tracking = z
  .enum(trackingModes, { error: `tracking must be one of ${trackingModes.join(', ')}, or null for the install's setting` })
  .nullable()
  .openapi({
    description:
      "`on`: opens and clicks per message; `anonymous`: counts per campaign, nothing in the mail names the reader; `off`: no pixel, links as written. Null: the install's `tracking` setting.",
  });
const TrackingDomain = trackingDomainSchema('trackingDomain')
  .nullable()
  .openapi({
    description: "Host name for the pixel and click links instead of PUBLIC_URL's, e.g. `click.acme.example` (docs/tracking.md); null: the install's `trackingDomain` setting.",
    example: 'click.acme.example',
  });
const Format = z.enum(['mjml', 'html', 'text']);
const MAX_BODY_CHARS = 2_000_000;
const Body = z
  .string()
  .min(1, 'body must not be empty')
  .max(MAX_BODY_CHARS, `body must be at most ${MAX_BODY_CHARS} characters`)
  .openapi({ description: 'MJML, HTML or plain text (per `format`), with Liquid merge tags.' });
const ListIds = z
  .array(z.number().int().positive())
  .max(100, 'at most 100 lists')
  .refine((ids) => new Set(ids).size === ids.length, 'list ids must not repeat');
const ServerId = z
  .number()
  .int()
  .positive()
  .nullable()
  .openapi({ description: 'Shorthand for `sendingServers: [{ "id": <id> }]`; null: `[]`, the default server at send time. Not with `sendingServers`.' });
const MAX_WEIGHT = 1000;
const ServerList = z
  .array(
    z
      .object({
        id: z.number().int().positive(),
        weight: z.number().int().min(1, 'weight must be at least 1').max(MAX_WEIGHT, `weight must be at most ${MAX_WEIGHT}`).default(1),
      })
      .strict(),
  )
  .max(20, 'at most 20 sending servers')
  .refine((servers) => new Set(servers.map((s) => s.id)).size === servers.length, 'sending server ids must not repeat')
  .openapi({
    description:
      'Servers to send through, in failover order. Each message goes to one of the servers that are up, chosen by weight (default 1); a server that refuses connections is skipped for a short while. Empty: the default server at send time.',
    example: [{ id: 1, weight: 3 }, { id: 2 }],
  });
const oneWayToNameServers = (b: { sendingServerId?: unknown; sendingServers?: unknown }) =>
  b.sendingServerId === undefined || b.sendingServers === undefined;
const oneWayMessage = { message: 'give sendingServers or sendingServerId, not both', path: ['sendingServers'] };
const SendAt = z
  .iso.datetime({ offset: true, error: 'sendAt must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:00:00Z' })
  .transform((s) => Date.parse(s))
  .nullable()
  .openapi({ type: 'string', format: 'date-time', description: 'When to send; null or past: as soon as it is sent.' });

export const CreateCampaignBody = z
  .object({
    name: Name,
    subject: Subject,
    from: FromAddress,
    lists: ListIds.default([]).openapi({ description: 'Lists to send to; at least one is needed to send.' }),
    preheader: Preheader.default(''),
    format: Format,
    body: Body,
    tracking: Tracking.default(null),
    trackingDomain: TrackingDomain.default(null),
    sendingServerId: ServerId.optional(),
    sendingServers: ServerList.optional(),
    sendAt: SendAt.default(null),
  })
  .strict()
  .refine(oneWayToNameServers, oneWayMessage);

export const UpdateCampaignBody = z
  .object({
    name: Name.optional(),
    subject: Subject.optional(),
    from: FromAddress.optional(),
    lists: ListIds.optional().openapi({ description: 'Replaces the lists.' }),
    preheader: Preheader.optional(),
    format: Format.optional(),
    body: Body.optional(),
    tracking: Tracking.optional(),
    trackingDomain: TrackingDomain.optional(),
    sendingServerId: ServerId.optional(),
    sendingServers: ServerList.optional().openapi({ description: 'Replaces the servers, in failover order.' }),
    sendAt: SendAt.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change')
  .refine(oneWayToNameServers, oneWayMessage);

export const CampaignSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    subject: z.string(),
    from: z.string(),
    preheader: z.string(),
    format: Format,
    body: z.string(),
    tracking: z.enum(trackingModes).nullable().openapi({ description: "A draft's null: the install's setting, fixed onto the campaign when it is sent. Past draft, null only on campaigns sent before tracking modes existed, which were tracked (`on`)." }),
    trackingDomain: z.string().nullable().openapi({ description: "A draft's null: the install's tracking domain, fixed when it is sent. Past draft, null means PUBLIC_URL's host." }),
    lists: z.array(z.number().int()),
    sendingServerId: z.number().int().nullable().openapi({ description: 'The first server of `sendingServers`; null when it is empty.' }),
    sendingServers: z.array(z.object({ id: z.number().int(), weight: z.number().int() })).openapi({ description: 'In failover order; empty: the default server.' }),
    sendAt: Timestamp.nullable(),
    status: z.enum(campaignStatuses),
    statusReason: z.string().nullable().openapi({ description: 'Why the campaign failed or paused itself.' }),
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Campaign');

const Headline = z.object({ unique: z.number().int().openapi({ description: 'Distinct messages.' }), humanUnique: z.number().int().openapi({ description: 'Distinct messages with one made by a person.' }) });

export const CampaignSummarySchema = CampaignSchema.omit({ body: true })
  .extend({
    numbers: z
      .object({ sent: z.number().int(), opened: Headline, clicked: Headline })
      .openapi({ description: 'The headline numbers (zeros for a draft); GET /api/campaigns/{id}/stats has them all.' }),
  })
  .openapi('CampaignSummary');

const Tally = z.object({ total: z.number().int(), unique: z.number().int().openapi({ description: 'Distinct messages.' }) });

const EngagementTally = Tally.extend({
  human: Tally.openapi({ description: 'Made by people (hits recorded before classification count here too).' }),
  machine: Tally.openapi({ description: 'Made by machines: mail proxies, Apple Mail Privacy Protection, security scanners, link previews.' }),
  machineReasons: z
    .record(z.string(), z.number().int())
    .openapi({ description: 'Machine hits per reason code (`apple-mpp`, `scanner:mimecast`, `early-click`, …; docs/machine-detection.md).' }),
});

export const CampaignStatsSchema = z
  .looseObject({
    campaignId: z.number().int(),
    status: z.enum(campaignStatuses),
    recipients: z.number().int(),
    queued: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    delivered: z.number().int().openapi({ description: 'Messages the relay reported delivered.' }),
    bounced: z
      .object({
        hard: z.number().int().openapi({ description: 'Messages with a hard bounce (the address is suppressed).' }),
        soft: z.number().int().openapi({ description: 'Messages that bounced, never hard.' }),
      })
      .openapi({ description: 'Bounced messages; each counts once, as hard if any of its bounces was.' }),
    deferred: z.number().int().openapi({ description: 'Messages the relay reported delayed (still retrying).' }),
    dropped: z.number().int().openapi({ description: 'Messages the relay refused to send (e.g. on its own suppression list).' }),
    complained: z.number().int(),
    opened: EngagementTally,
    clicked: EngagementTally,
    unsubscribed: Tally,
    topLinks: z.array(Tally.extend({ url: z.string(), human: Tally.openapi({ description: "The link's clicks made by people." }) })),
  })
  .openapi('CampaignStats');
