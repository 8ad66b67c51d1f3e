// How drivers mark each message with our `messages.id`, so that what a relay reports later
// (webhooks, bounces) names the message back. Drivers write these; webhook modules read them.

/** Header added by drivers whose relay keeps custom headers in the events it sends (SES, Elastic Email). */
export const MESSAGE_ID_HEADER = 'X-Edgepost-Message';

/** Custom argument, tag or metadata key holding our id (SendGrid, SES, Postmark, SparkPost). */
export const MESSAGE_ID_FIELD = 'edgepost_message';

/** Mailgun's user variable (`v:edgepost-message`): its variables are spelled with hyphens. */
export const MAILGUN_MESSAGE_VARIABLE = 'edgepost-message';
