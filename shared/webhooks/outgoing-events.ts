// The catalogue of outgoing webhook events: what a marketer's endpoint may subscribe to.
// The deliveries themselves are written by database triggers (migrations/0006), so a name
// added here needs its trigger there; docs/webhooks.md describes each payload.

/** Every event name an endpoint can subscribe to, with what it means. */
export const outgoingEvents = {
  'subscriber.created': 'A subscriber was added (API, import or sign-up).',
  'subscriber.updated': 'A subscriber’s email, name, attributes or status changed.',
  'subscriber.unsubscribed': 'A recipient unsubscribed (our link or page, one-click, or a relay’s report).',
  'message.sent': 'The relay accepted a message.',
  'message.failed': 'A message could not be sent (the relay refused it, or the attempts ran out).',
  'message.delivered': 'The relay reported the message delivered to the recipient’s server.',
  'message.deferred': 'The relay reported a temporary delivery delay; it keeps trying.',
  'message.bounced': 'The message bounced (hard or soft), from a relay webhook or a bounce mail.',
  'message.dropped': 'The relay refused to attempt delivery (e.g. a suppressed address at the relay).',
  'message.complained': 'The recipient marked the message as spam.',
  'message.opened': 'The message was opened (the open pixel, or the relay’s open tracking).',
  'message.clicked': 'A link in the message was clicked.',
  'campaign.started': 'A campaign began sending (its first claim by a sender).',
  'campaign.paused': 'A campaign was paused, by the marketer or by Edgepost (with the reason).',
  'campaign.resumed': 'A paused campaign was resumed.',
  'campaign.finished': 'Every message of a campaign has an outcome.',
  'campaign.cancelled': 'A campaign was cancelled.',
  'campaign.failed': 'A campaign stopped and cannot go on.',
} as const;

export type OutgoingEventName = keyof typeof outgoingEvents;

export const outgoingEventNames = Object.keys(outgoingEvents) as [OutgoingEventName, ...OutgoingEventName[]];

/** The event a test delivery carries (`POST /api/webhook-endpoints/:id/test`); every endpoint accepts it. */
export const PING_EVENT = 'ping';
