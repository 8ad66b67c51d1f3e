// What the bounce classifier (classify-bounce.ts) says of one message that reached the
// bounce inbox: per recipient, whether it is a bounce, of which kind, and why. Used by the
// inbox (to record delivery events) and by `npm run cli -- bounce classify FILE.eml`.

/**
 * `hard`: the address will never work (unknown user, even under a 4xx; domain without
 * mail). `soft`: may work later (mailbox full, policy or reputation blocks, authentication
 * failures, timeouts). `complaint`: an ARF abuse report. `unsubscribe`: an ARF opt-out or a
 * mailto List-Unsubscribe mail. `not-bounce`: auto-replies, delivery notices, anything else.
 */
export type BounceVerdict = 'hard' | 'soft' | 'complaint' | 'unsubscribe' | 'not-bounce';

export interface RecipientReport {
  /** The recipient the report is about, lower-cased (Original-Recipient over Final-Recipient); '' when it does not say. */
  address: string;
  /** The address the reporting server last tried (DSN Final-Recipient), when it differs from `address`: a forward or alias. */
  finalRecipient?: string;
  verdict: BounceVerdict;
  /** Enhanced status code (RFC 3463), e.g. `5.1.1`, when the report gives or implies one. */
  status?: string;
  /** The SMTP reply code, e.g. `550`, when given. */
  smtpCode?: string;
  /** A short reason a person can read: "unknown user", "mailbox full", "abuse complaint", "auto-reply". */
  reason: string;
  /** The remote server's own words (Diagnostic-Code or the quoted SMTP answer), trimmed. */
  diagnostic?: string;
}

export interface BounceReport {
  /**
   * How the message was read: an RFC 3464 DSN, an RFC 5965 ARF report, a known non-standard
   * text bounce (or Apple Mail's unsubscribe mail), or none of these (auto-replies, ordinary mail).
   */
  format: 'dsn' | 'arf' | 'text' | 'none';
  /** One entry per recipient the message reports on; an auto-reply or plain mail gives one `not-bounce` entry with its reason. */
  recipients: RecipientReport[];
  /** ARF Feedback-Type (abuse, opt-out, auth-failure...), for ARF reports. */
  feedbackType?: string;
  /** Headers of the original message, when the report quotes them: how a bounce without VERP finds its message. */
  original?: {
    messageId?: string;
    /** Our `X-Edgepost-Message` header: the message id we sent it under (informative: anyone can write it). */
    edgepostMessage?: string;
    /**
     * The signed unsubscribe token of its `List-Unsubscribe` header: the proof, which nobody
     * but us can forge, that the report is about a message we sent (and which one).
     */
    unsubscribeToken?: string;
    /** The original's To addresses, bare and lower-cased, joined by ", ". */
    to?: string;
    subject?: string;
  };
}
