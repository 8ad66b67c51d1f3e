// The one decision of the bounce classifier: from what a report says of one recipient (its
// action, status code and the server's words) to hard / soft / not a bounce, with a reason.
// "Hard" means the address itself will never work, which is narrower than "5xx": a full
// mailbox, a policy or reputation block and an authentication failure are the sender's or the
// moment's problem, so they are soft; an unknown user is hard even when the server said 4xx.

export interface VerdictInput {
  /** RFC 3464 Action (failed, delayed, delivered...), when the report has one. */
  action?: string;
  /** Enhanced status code, e.g. `5.1.1`. */
  status?: string;
  /** SMTP reply code, e.g. `550`. */
  smtpCode?: string;
  /** The server's words (Diagnostic-Code or the text of a text bounce). */
  diagnostic?: string;
}

export interface Verdict {
  verdict: 'hard' | 'soft' | 'not-bounce';
  reason: string;
  /** The status given, or the one the reason implies when none was (e.g. `5.1.1` for "user unknown"). */
  status?: string;
}

const NOT_BOUNCE_ACTIONS = new Set(['delivered', 'relayed', 'expanded', 'deliverable']);

// Permanent statuses about the address itself (RFC 3463, RFC 7505 for x.1.10).
const HARD_STATUSES: Record<string, string> = {
  '1.1': 'unknown user',
  '1.2': 'domain not found',
  '1.3': 'invalid address',
  '1.6': 'mailbox has moved',
  '1.10': 'recipient not found',
  '4.4': 'domain not found (no route)',
};

const UNKNOWN_USER =
  /\b(?:user(?:name)? unknown|addressee unknown|unknown (?:user|recipient|mailbox|address|local[- ]part)|no such (?:user|recipient|mailbox|account|address)|(?:user|recipient|mailbox|account|address)(?: name)? (?:not found|is unknown)|(?:user|mailbox|account|address)\b[^.;]{0,40}\b(?:does not|doesn.t) exist|doesn.t have an? [\w.-]+ account|not our user|recipient name is not recognized|address (?:was not|wasn.t) found|recip(?:ient)?notfound|invalid (?:recipient|mailbox)|unrouteable address|no mailbox here)\b/i;
const HOST_UNKNOWN =
  /\b(?:host or domain name not found|host not found|domain not found|unknown (?:host|domain)|domain (?:does not|doesn.t) exist|unrouteable mail domain|nxdomain|no mx record)/i;
const TEMPORARY = /try again|temporar/i;
const MAILBOX_FULL =
  /\b(?:mailbox (?:is )?full|mailbox (?:is )?over ?quota|over ?quota|quota exceeded|exceeded (?:the )?(?:storage|quota)|insufficient (?:system )?storage|mailbox size limit)/i;

// Status subjects too broad to name a cause: 0 other, 3 mail system, 5 protocol.
const VAGUE_SUBJECTS = new Set(['0', '3', '5']);

// Soft reasons from the text, in order: the first that matches names the cause.
const SOFT_TEXT: [RegExp, string][] = [
  [/\b(?:dmarc|spf|dkim|authenticat)/i, 'authentication failure (SPF/DKIM/DMARC)'],
  [/\b(?:reputation|blacklist|blocklist|block list|spamhaus|blocked|rbl)\b/i, 'blocked (policy or reputation)'],
  [/\b(?:spam|virus|content rejected)\b/i, 'rejected as spam or for its content'],
  [/\b(?:rate limit|too many|throttl|greylist|temporarily deferred|try (?:again )?later)/i, 'rate limited, try later'],
  [/\b(?:retry timeout exceeded|message expired|delivery (?:time )?expired|queue too long|unable to deliver in \d+)/i, 'delivery expired'],
  [/\b(?:timed out|connection refused|no answer)\b/i, 'receiving server did not answer'],
];

/** Decides one recipient's verdict; pure, and total (anything unrecognised is a soft bounce). */
export function bounceVerdict(input: VerdictInput): Verdict {
  const { status, diagnostic = '' } = input;
  const action = input.action?.toLowerCase();
  const statusClass = status?.[0] ?? input.smtpCode?.[0];
  if ((action && NOT_BOUNCE_ACTIONS.has(action)) || statusClass === '2') {
    return { verdict: 'not-bounce', reason: `delivery notice (${action ?? 'success'})`, ...(status && { status }) };
  }
  const decided = hardVerdict(status, statusClass, diagnostic) ?? softVerdict(status, statusClass, diagnostic);
  if (action === 'delayed') return { ...decided, verdict: 'soft', reason: `delayed, still retrying: ${decided.reason}` };
  return decided;
}

function hardVerdict(status: string | undefined, statusClass: string | undefined, diagnostic: string): Verdict | undefined {
  const detail = status?.slice(2);
  if (statusClass === '5' && detail && HARD_STATUSES[detail]) return { verdict: 'hard', reason: HARD_STATUSES[detail], status };
  if (UNKNOWN_USER.test(diagnostic)) return { verdict: 'hard', reason: 'unknown user', status: status ?? `${statusClass ?? '5'}.1.1` };
  if (HOST_UNKNOWN.test(diagnostic) && statusClass !== '4' && !TEMPORARY.test(diagnostic)) {
    return { verdict: 'hard', reason: 'domain not found', status: status ?? '5.1.2' };
  }
  return undefined;
}

function softVerdict(status: string | undefined, statusClass: string | undefined, diagnostic: string): Verdict {
  if (MAILBOX_FULL.test(diagnostic)) return { verdict: 'soft', reason: 'mailbox full', status: status ?? `${statusClass ?? '4'}.2.2` };
  const byStatus = status ? softStatusReason(status) : undefined;
  // A precise status names the cause better than prose; a vague one ("other", "system") does not.
  if (byStatus && !VAGUE_SUBJECTS.has(status!.split('.')[1]!)) return { verdict: 'soft', reason: byStatus, status };
  for (const [pattern, reason] of SOFT_TEXT) {
    if (pattern.test(diagnostic)) return { verdict: 'soft', reason, status: status ?? impliedStatus(reason, statusClass) };
  }
  if (byStatus) return { verdict: 'soft', reason: byStatus, status };
  const reason = statusClass === '4' ? 'temporary failure' : statusClass === '5' ? 'permanent failure, not about the address' : 'undetermined failure';
  return { verdict: 'soft', reason, ...((status ?? statusClass) && { status: status ?? `${statusClass}.0.0` }) };
}

// What an enhanced status says of a failure that is not the address's fault (RFC 3463 subjects).
function softStatusReason(status: string): string | undefined {
  const [, subject, detail] = status.split('.');
  if (subject === '2') return detail === '2' ? 'mailbox full' : detail === '3' ? 'message too large' : 'mailbox disabled or not accepting mail';
  if (subject === '4') return detail === '7' ? 'delivery expired' : detail === '1' ? 'receiving server did not answer' : 'network or routing problem';
  if (subject === '7') {
    const number = Number(detail);
    if (number >= 23 && number <= 27) return 'authentication failure (SPF/DKIM/DMARC)';
    return status[0] === '4' ? 'deferred (reputation or rate limit)' : 'blocked (policy or reputation)';
  }
  if (subject === '3') return 'receiving server problem';
  if (subject === '5') return 'protocol error';
  if (subject === '6') return 'rejected for its content';
  return undefined;
}

function impliedStatus(reason: string, statusClass: string | undefined): string | undefined {
  if (reason === 'delivery expired') return '4.4.7';
  return statusClass ? `${statusClass}.0.0` : undefined;
}
