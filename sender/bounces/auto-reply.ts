// Mail that reaches the bounce address without being a bounce: RFC 3834 auto-replies
// (vacation, out of office) and Apple Mail's mailto: unsubscribe mail.
import type { MailSummary } from './read-mail';

const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|out of (?:the )?office|away from (?:the |my )?(?:office|desk)|on vacation|vacation|away until|abwesenheit|automatische antwort|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica)/i;

/** Why a message is an auto-reply (a reason a person can read), or undefined when it is not one. */
export function autoReplyReason(mail: MailSummary): string | undefined {
  // Only the keyword: the rest of the header is the sender's free text.
  const autoSubmitted = mail.header('auto-submitted')?.toLowerCase().split(/[\s;(]/)[0]?.slice(0, 40);
  if (autoSubmitted?.startsWith('auto-replied')) return 'auto-reply (Auto-Submitted: auto-replied)';
  if (mail.header('x-autoreply') !== undefined || mail.header('x-autorespond') !== undefined) return 'auto-reply (X-Autoreply)';
  if (/^auto[_-]reply$/i.test(mail.header('precedence') ?? '')) return 'auto-reply (Precedence: auto_reply)';
  if (AUTO_REPLY_SUBJECT.test(mail.subject)) return 'auto-reply (vacation or out-of-office subject)';
  if (autoSubmitted && autoSubmitted !== 'no') return `automatic message (Auto-Submitted: ${autoSubmitted})`;
  return undefined;
}

/** Apple Mail's one-click unsubscribe: a mail to the List-Unsubscribe mailto: address, flagged so. */
export function isAppleUnsubscribe(mail: MailSummary): boolean {
  return mail.header('x-apple-unsubscribe')?.toLowerCase() === 'true';
}
