// RFC 3464 message/delivery-status (and RFC 6533 message/global-delivery-status): one entry per
// recipient block, with the fields the verdict and a support person need.
import { addressValue, field, parseReportFields } from './report-fields';

export interface DeliveryStatusRecipient {
  /** The address as the sender gave it (ORCPT), lower-cased. */
  originalRecipient?: string;
  /** The address the reporting MTA last tried, lower-cased. */
  finalRecipient?: string;
  /** failed, delayed, delivered, relayed, expanded (lower-cased; some MTAs invent others). */
  action?: string;
  /** The enhanced status code, e.g. `5.1.1`. */
  status?: string;
  /** The remote server's answer, without its `smtp;` type, on one line. */
  diagnosticCode?: string;
  /** The host that answered, without its `dns;` type. */
  remoteMta?: string;
}

/** The per-recipient blocks of a delivery-status part; blocks that name no recipient are skipped. */
export function parseDeliveryStatus(text: string): DeliveryStatusRecipient[] {
  const recipients: DeliveryStatusRecipient[] = [];
  for (const block of parseReportFields(text)) {
    const originalRecipient = addressValue(field(block, 'original-recipient'));
    const finalRecipient = addressValue(field(block, 'final-recipient'));
    if (!originalRecipient && !finalRecipient) continue;
    recipients.push({
      originalRecipient,
      finalRecipient,
      action: field(block, 'action')?.toLowerCase().split(/[\s(]/)[0],
      status: field(block, 'status')?.match(/[245]\.\d{1,3}\.\d{1,3}/)?.[0],
      diagnosticCode: withoutType(field(block, 'diagnostic-code')),
      remoteMta: withoutType(field(block, 'remote-mta')),
    });
  }
  return recipients;
}

// "smtp; 550 5.1.1 ..." -> "550 5.1.1 ..."; the type names the syntax, not what happened.
function withoutType(value: string | undefined): string | undefined {
  const text = value?.replace(/^[\w-]+\s*;\s*/, '').replace(/\s+/g, ' ').trim();
  return text || undefined;
}
