// RFC 5965 message/feedback-report (ARF): what kind of feedback, and about which recipients.
import { addressValue, parseReportFields } from './report-fields';

export interface FeedbackReport {
  /** Feedback-Type, lower-cased: abuse, fraud, virus, other, not-spam, opt-out, auth-failure... */
  feedbackType: string;
  /** Original-Rcpt-To (and Removal-Recipient for opt-out reports), lower-cased, without repeats. */
  recipients: string[];
}

/** Reads a feedback-report part; an absent Feedback-Type reads as `other`, the RFC's catch-all. */
export function parseFeedbackReport(text: string): FeedbackReport {
  const fields = parseReportFields(text);
  const all = (name: string) => fields.flatMap((block) => block.get(name) ?? []);
  const feedbackType = all('feedback-type')[0]?.toLowerCase().split(/[\s;]/)[0]?.slice(0, 40) || 'other';
  const addresses = [...all('original-rcpt-to'), ...all('removal-recipient')].map(addressValue);
  return { feedbackType, recipients: [...new Set(addresses.filter((a): a is string => !!a))] };
}
