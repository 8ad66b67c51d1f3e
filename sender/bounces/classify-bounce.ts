// What a message that reached the bounce inbox says, per recipient: an RFC 5965 complaint or
// opt-out, an RFC 3464 DSN, a non-standard text bounce, or not a bounce at all (auto-replies,
// delivery notices, ordinary mail). A pure function of the bytes: parsing is its only work.
import { autoReplyReason, isAppleUnsubscribe } from './auto-reply';
import type { BounceReport, BounceVerdict, RecipientReport } from './bounce-report';
import { bounceVerdict, type Verdict } from './bounce-verdict';
import { parseDeliveryStatus, type DeliveryStatusRecipient } from './parse-delivery-status';
import { parseFeedbackReport } from './parse-feedback-report';
import { readQuotedOriginal } from './quoted-original';
import { readMail, type MailSummary } from './read-mail';
import { splitMbox } from './split-mbox';
import { findReplyCode, findStatus } from './status-codes';
import { codesOf, diagnosticOf, looksLikeBounce, readTextBounce } from './text-bounce-rules';

/** Classifies one message (or each message of an mbox); never throws: unreadable input is `format: 'none'`. */
export async function classifyBounce(raw: Buffer | string): Promise<BounceReport> {
  try {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const reports: BounceReport[] = [];
    for (const message of splitMbox(bytes)) reports.push(await classifyMessage(message));
    return mergeReports(reports);
  } catch (err) {
    return notBounce(`unreadable as mail (${(err as Error).message})`);
  }
}

async function classifyMessage(raw: Buffer): Promise<BounceReport> {
  const mail = await readMail(raw);
  if (isAppleUnsubscribe(mail)) {
    const reason = 'unsubscribe request (Apple Mail, mailto: List-Unsubscribe)';
    return { format: 'text', recipients: [{ address: mail.from ?? '', verdict: 'unsubscribe', reason }] };
  }
  if (mail.feedbackReports.length > 0) return feedbackReport(mail);
  const dsn = mail.deliveryStatus.flatMap(parseDeliveryStatus);
  if (dsn.length > 0) return deliveryStatusReport(mail, dsn);
  const text = looksLikeBounce(mail) ? await textReport(mail) : undefined;
  if (text) return text;
  const autoReply = autoReplyReason(mail);
  if (autoReply) return notBounce(autoReply, mail.from);
  return notBounce('an ordinary message');
}

const FEEDBACK_VERDICTS: Record<string, [BounceVerdict, string]> = {
  abuse: ['complaint', 'abuse complaint'],
  fraud: ['complaint', 'fraud complaint'],
  virus: ['complaint', 'virus complaint'],
  'opt-out': ['unsubscribe', 'unsubscribe request (ARF opt-out)'],
  'auth-failure': ['not-bounce', 'authentication failure report (DMARC forensic), not a complaint'],
  'not-spam': ['not-bounce', 'marked as not spam, not a complaint'],
};

async function feedbackReport(mail: MailSummary): Promise<BounceReport> {
  const report = parseFeedbackReport(mail.feedbackReports[0]!);
  const original = mail.originalPart ? await readQuotedOriginal(mail.originalPart) : undefined;
  const [verdict, reason] = FEEDBACK_VERDICTS[report.feedbackType] ?? ['not-bounce', `feedback report of type "${report.feedbackType}", not a complaint`];
  const addresses = report.recipients.length > 0 ? report.recipients : (original?.to?.split(', ') ?? ['']);
  return {
    format: 'arf',
    feedbackType: report.feedbackType,
    recipients: addresses.map((address) => ({ address, verdict, reason })),
    ...(original && { original }),
  };
}

async function deliveryStatusReport(mail: MailSummary, dsn: DeliveryStatusRecipient[]): Promise<BounceReport> {
  const text = readTextBounce(mail);
  const recipients = dsn.map((entry): RecipientReport => {
    const address = entry.originalRecipient ?? entry.finalRecipient!;
    // A DSN without a diagnostic often says it in its text part, under the address.
    const diagnostic = entry.diagnosticCode ?? text.recipients.find((r) => r.address === address || r.address === entry.finalRecipient)?.text;
    const smtpCode = findReplyCode(diagnostic);
    // "5.0.0" says nothing the server's own "5.1.1" does not say better.
    const status = entry.status?.endsWith('.0.0') ? (findStatus(diagnostic) ?? entry.status) : (entry.status ?? findStatus(diagnostic));
    const verdict = bounceVerdict({ action: entry.action, status, smtpCode, diagnostic });
    return recipientReport(address, verdict, smtpCode, diagnostic && diagnosticOf(diagnostic), entry.finalRecipient);
  });
  const original = mail.originalPart ? await readQuotedOriginal(mail.originalPart) : text.original ? await readQuotedOriginal(text.original) : undefined;
  return { format: 'dsn', recipients, ...(original && { original }) };
}

// Undefined when the text names no recipient and no code and the mail is an auto-reply: an
// out-of-office reply from a postmaster@ mailbox must not count as a bounce.
async function textReport(mail: MailSummary): Promise<BounceReport | undefined> {
  const bounce = readTextBounce(mail);
  const words = bounce.notice.replace(/\s+/g, ' ').trim();
  if (bounce.recipients.length === 0 && !findReplyCode(words) && !findStatus(words) && autoReplyReason(mail)) return undefined;
  const named = bounce.recipients.length > 0 ? bounce.recipients : [{ address: '', text: words }];
  // Delay warnings ("Delivery Status Notification (Delay)", "Delayed Mail") report a retry, not a failure.
  const action = /\bdelay(?:ed)?\b|^warning:/i.test(mail.subject) ? 'delayed' : 'failed';
  const recipients = named.map(({ address, text }) => {
    const codes = codesOf(text);
    return recipientReport(address, bounceVerdict({ action, ...codes, diagnostic: text }), codes.smtpCode, diagnosticOf(text));
  });
  const quoted = mail.originalPart ?? bounce.original;
  const original = quoted ? await readQuotedOriginal(quoted) : undefined;
  return { format: 'text', recipients, ...(original && { original }) };
}

function recipientReport(address: string, verdict: Verdict, smtpCode?: string, diagnostic?: string, finalRecipient?: string): RecipientReport {
  return {
    address,
    ...(finalRecipient && finalRecipient !== address && { finalRecipient }),
    verdict: verdict.verdict,
    ...(verdict.status && { status: verdict.status }),
    ...(smtpCode && { smtpCode }),
    reason: verdict.reason,
    ...(diagnostic && { diagnostic }),
  };
}

function notBounce(reason: string, address = ''): BounceReport {
  return { format: 'none', recipients: [{ address, verdict: 'not-bounce', reason }] };
}

// An mbox of several messages reads as one report: every message's recipients, the first
// report format, feedback type and original found.
function mergeReports(reports: BounceReport[]): BounceReport {
  if (reports.length === 1) return reports[0]!;
  if (reports.length === 0) return notBounce('empty input');
  const format = reports.find((report) => report.format !== 'none')?.format ?? 'none';
  const feedbackType = reports.find((report) => report.feedbackType)?.feedbackType;
  const original = reports.find((report) => report.original)?.original;
  return {
    format,
    recipients: reports.flatMap((report) => report.recipients),
    ...(feedbackType && { feedbackType }),
    ...(original && { original }),
  };
}
