// The headers that identify a message and let the recipient leave the list.

/**
 * `<messageId.campaignId.installId@domain>`: the same every time the message is rendered,
 * so a copy resent after a crash folds into the first in mail clients; `installId` (derived
 * from this install's secret) keeps two installs sending from one domain from colliding,
 * which would make Gmail drop the second message as a duplicate.
 */
export function messageIdHeader(messageId: number, campaignId: number, installId: string, fromDomain: string): string {
  return `<${messageId}.${campaignId}.${installId}@${fromDomain}>`;
}

/**
 * `List-Unsubscribe` (https first, then mailto to `<bounce local>+unsubscribe@<domain>`
 * with the token as the subject) and RFC 8058's one-click `List-Unsubscribe-Post`.
 */
export function listUnsubscribeHeaders(unsubscribeUrl: string, bounceAddress: string, token: string): Record<string, string> {
  const at = bounceAddress.lastIndexOf('@');
  const mailto = `mailto:${bounceAddress.slice(0, at)}+unsubscribe${bounceAddress.slice(at)}?subject=unsubscribe%20${token}`;
  return {
    'List-Unsubscribe': `<${unsubscribeUrl}>, <${mailto}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
