// What the bounce inbox records for one classified message: the report's bounces,
// complaints and opt-outs as delivery events about one of our messages. Pure: the inbox
// decides which message a report is about (the VERP address, or a checked claim) and
// writes the events; this only maps.
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../../shared/feedback/delivery-event';
import type { BounceReport, RecipientReport } from './bounce-report';

/** The message a report is taken to be about. */
export interface ReportTarget {
  /** Our `messages.id`. */
  messageId: number;
  /**
   * Only entries about this address count (lower-cased). Set when the message is named by
   * the report itself (its quoted unsubscribe token) rather than by the VERP address it was
   * delivered to: the entry must then name the address we sent that message to.
   */
  onlyRecipient?: string;
}

/** The events a report gives for one message; nothing for `not-bounce` entries. Keys repeat when the same report arrives again. */
export function bounceEvents(report: BounceReport, target: ReportTarget, occurredAt: number): DeliveryEvent[] {
  const byKey = new Map<string, DeliveryEvent>();
  for (const entry of report.recipients) {
    const recipient = entry.address.trim().toLowerCase();
    if (target.onlyRecipient !== undefined && (recipient === '' || recipient !== target.onlyRecipient.trim().toLowerCase())) continue;
    const event = entryEvent(report, entry, recipient, target.messageId, occurredAt);
    // A report listing one recipient twice (some MTAs do) is one event.
    if (event && !byKey.has(event.key)) byKey.set(event.key, event);
  }
  return [...byKey.values()];
}

function entryEvent(report: BounceReport, entry: RecipientReport, recipient: string, messageId: number, occurredAt: number): DeliveryEvent | null {
  const kind = eventKind(entry);
  if (!kind) return null;
  const detail: Record<string, string> = { format: report.format, reason: entry.reason };
  if (entry.smtpCode) detail.smtpCode = entry.smtpCode;
  if (report.feedbackType) detail.feedbackType = report.feedbackType;
  return {
    source: 'bounce-inbox',
    // No time in the key: the same DSN delivered twice (MTAs retry after a lost 250) counts once.
    key: `bounce-inbox:${messageId}:${recipient}:${entry.verdict}`,
    ...kind,
    messageId,
    recipient,
    occurredAt,
    ...(entry.status ? { status: entry.status } : {}),
    ...(entry.diagnostic ? { diagnostic: entry.diagnostic.slice(0, MAX_DIAGNOSTIC) } : {}),
    detail,
  };
}

function eventKind(entry: RecipientReport): Pick<DeliveryEvent, 'type' | 'bounceClass'> | null {
  switch (entry.verdict) {
    case 'hard':
    case 'soft':
      return { type: 'bounce', bounceClass: entry.verdict };
    case 'complaint':
      return { type: 'complaint' };
    case 'unsubscribe':
      return { type: 'unsubscribe' };
    case 'not-bounce':
      return null;
  }
}
