// The campaign editor's form: its values, the API's rules checked as the marketer types
// (edge/routes/campaign-schemas.ts; the API stays the judge and its 400s land on the same
// fields), and the conversions between the form and the API's campaign.
import { parseAbsolute, parseDateTime, toCalendarDateTime, toZoned } from '@internationalized/date';
import { z } from 'zod';
import type { components } from '../../../api/schema';

type Campaign = components['schemas']['Campaign'];
type Template = components['schemas']['Template'];
export type CampaignBody = Omit<Campaign, 'id' | 'sendingServerId' | 'status' | 'statusReason' | 'startedAt' | 'finishedAt' | 'createdAt' | 'updatedAt'>;

export const FORMATS = ['mjml', 'html', 'text'] as const;
export type Format = (typeof FORMATS)[number];
const TRACKING = ['default', 'on', 'anonymous', 'off'] as const;

const MAILBOX = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>"]+@[^\s@<>]+\.[^\s@<>]+)$/;
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/** The browser's own time zone, the schedule's default. */
const localTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A wall-clock date-time (`2026-03-01T09:00`) in `timeZone` as an ISO instant; null when it is not one. */
export function toInstant(local: string, timeZone: string): string | null {
  try {
    return toZoned(parseDateTime(local), timeZone).toAbsoluteString();
  } catch {
    return null;
  }
}

export const campaignFormSchema = z
  .object({
    name: z.string().trim().min(1, 'Give the campaign a name').max(200, 'Use at most 200 characters'),
    subject: z
      .string()
      .trim()
      .min(1, 'Write a subject')
      .max(998, 'Use at most 998 characters')
      .refine((s) => !/[\r\n]/.test(s), 'Keep the subject on one line'),
    preheader: z.string().max(500, 'Use at most 500 characters (inboxes show about 100)'),
    from: z.string().trim().min(1, 'Enter the sender').regex(MAILBOX, 'Write it as news@acme.example or Acme News <news@acme.example>'),
    format: z.enum(FORMATS),
    body: z.string().refine((s) => s.trim().length > 0, 'Write the body'),
    lists: z.array(z.number()),
    serverMode: z.enum(['default', 'chosen']),
    servers: z.array(
      z.object({
        id: z.number(),
        weight: z.number({ error: 'Enter a weight' }).int('Use a whole number').min(1, 'At least 1').max(1000, 'At most 1000'),
      }),
    ),
    schedule: z.enum(['now', 'later']),
    sendAt: z.string(),
    timeZone: z.string(),
    tracking: z.enum(TRACKING),
    trackingDomain: z
      .string()
      .trim()
      .refine((s) => s === '' || HOST.test(s), 'Enter a host name like click.acme.example'),
  })
  .superRefine((v, ctx) => {
    if (v.serverMode === 'chosen' && v.servers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['servers'], message: 'Add a server, or send through the default one' });
    }
    if (v.schedule !== 'later') return;
    const instant = v.sendAt ? toInstant(v.sendAt, v.timeZone) : null;
    if (!v.sendAt) ctx.addIssue({ code: 'custom', path: ['sendAt'], message: 'Pick the date and time to send' });
    else if (!instant) ctx.addIssue({ code: 'custom', path: ['timeZone'], message: 'Pick a time zone from the list' });
    else if (Date.parse(instant) <= Date.now()) ctx.addIssue({ code: 'custom', path: ['sendAt'], message: 'Pick a time in the future' });
  });

export type CampaignValues = z.infer<typeof campaignFormSchema>;

/** The fields a 400's details can name, as the form calls them. */
export const FORM_FIELDS = ['name', 'subject', 'preheader', 'from', 'format', 'body', 'lists', 'servers', 'sendAt', 'tracking', 'trackingDomain'] as const;

/** Where an API detail path goes in the form (`lists.0` → `lists`, `sendingServers.1.id` → `servers`). */
export function formFieldOf(path: string): string {
  const head = path.split('.')[0] ?? path;
  return head === 'sendingServers' || head === 'sendingServerId' ? 'servers' : head;
}

const STARTERS: Record<Format, string> = {
  mjml: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="18px">Hello {{ subscriber.name | default: "friend" }},</mj-text>
        <mj-text>Write your message here.</mj-text>
        <mj-text font-size="12px" color="#555555"><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`,
  html: `<p>Hello {{ subscriber.name | default: "friend" }},</p>
<p>Write your message here.</p>
<p style="font-size:12px"><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
`,
  text: `Hello {{ subscriber.name | default: "friend" }},

Write your message here.

Unsubscribe: {{ unsubscribe_url }}
`,
};

/** A new campaign's values: blank in `format`, or the template's content. */
export function newCampaignValues(start: { format: Format } | { template: Template }): CampaignValues {
  const content = 'template' in start
    ? { format: start.template.format, body: start.template.body, subject: start.template.subject, preheader: start.template.preheader }
    : { format: start.format, body: STARTERS[start.format], subject: '', preheader: '' };
  return {
    name: '',
    from: '',
    ...content,
    lists: [],
    serverMode: 'default',
    servers: [],
    schedule: 'now',
    sendAt: '',
    timeZone: localTimeZone(),
    tracking: 'default',
    trackingDomain: '',
  };
}

/** A saved campaign's values, its send time shown in the browser's time zone. */
export function campaignValues(c: Campaign): CampaignValues {
  const timeZone = localTimeZone();
  return {
    name: c.name,
    subject: c.subject,
    preheader: c.preheader,
    from: c.from,
    format: c.format,
    body: c.body,
    lists: c.lists,
    serverMode: c.sendingServers.length > 0 ? 'chosen' : 'default',
    servers: c.sendingServers,
    schedule: c.sendAt ? 'later' : 'now',
    sendAt: c.sendAt ? toCalendarDateTime(parseAbsolute(c.sendAt, timeZone)).toString().slice(0, 16) : '',
    timeZone,
    tracking: c.tracking ?? 'default',
    trackingDomain: c.trackingDomain ?? '',
  };
}

/** The form's values as the API's campaign body. */
export function toCampaignBody(v: CampaignValues): CampaignBody {
  return {
    name: v.name,
    subject: v.subject,
    preheader: v.preheader,
    from: v.from,
    format: v.format,
    body: v.body,
    lists: v.lists,
    sendingServers: v.serverMode === 'chosen' ? v.servers : [],
    sendAt: v.schedule === 'later' ? toInstant(v.sendAt, v.timeZone) : null,
    tracking: v.tracking === 'default' ? null : v.tracking,
    trackingDomain: v.trackingDomain.trim() || null,
  };
}
