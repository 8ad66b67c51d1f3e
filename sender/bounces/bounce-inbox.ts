// The sender plane's bounce inbox: an SMTP receiver for the bounce domain (its MX points
// here). It takes mail only for the return paths Edgepost sends with, classifies each
// message and records what it says. Anyone can mail it, so it acts only on what is
// authenticated: a VERP address's MAC, an unsubscribe token's MAC, or a claim that names
// the very address we sent that message to. It answers 250 only once the write succeeded,
// and 451 when the database failed, so the MTA retries and nothing is lost.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { Database } from '../../shared/db/database';
import type { DeliveryEvent } from '../../shared/feedback/delivery-event';
import { recordDeliveryEvents } from '../../shared/queries/delivery-events';
import { unsubscribeByMessage } from '../../shared/queries/events';
import { loadMessagesToSend } from '../../shared/queries/messages';
import { verifyToken, type TrackingKeys } from '../../shared/tokens';
import { parseVerpAddress, type VerpKeys } from '../../shared/verp';
import { bounceEvents } from './bounce-events';
import type { BounceReport } from './bounce-report';
import { classifyBounce } from './classify-bounce';

export interface BounceInboxOptions {
  db: Database;
  /** This install's keys: VERP addresses and unsubscribe tokens are checked with them. */
  keys: VerpKeys & TrackingKeys;
  /** Every key set to accept, current first (SECRET_KEY, then SECRET_KEY_PREVIOUS); default `[keys]`. */
  keyring?: readonly (VerpKeys & TrackingKeys)[];
  /** BOUNCE_ADDRESS: the inbox takes mail for its VERP forms, `<local>+unsubscribe` and itself. */
  bounceAddress: string;
  /** Interface to listen on (BOUNCE_INBOX_HOST). */
  host: string;
  /** Port to listen on (BOUNCE_INBOX_PORT); 0 picks a free one. */
  port: number;
  /** The largest message accepted (BOUNCE_INBOX_MAX_BYTES); larger ones are refused with 552. */
  maxBytes: number;
  /** Idle time before a silent client is disconnected. Default 60 s. */
  idleTimeoutMs?: number;
  /** How long close() waits for open connections before cutting them. Default 5 s. */
  closeTimeoutMs?: number;
  /** Where drops (debug) and failures (error) are logged, never with addresses. Default console. */
  log?: Pick<Console, 'debug' | 'error'>;
}

export interface BounceInbox {
  /** The port it listens on. */
  port: number;
  /** Stops taking connections; a message cut short is not acknowledged, so its MTA retries it. */
  close(): Promise<void>;
}

/** One accepted envelope recipient, and what mail to it means. */
type InboxRecipient = { kind: 'verp'; messageId: number } | { kind: 'unsubscribe' } | { kind: 'bounce-address' };

/** An SMTP reply carried by an Error, as smtp-server expects. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Which of the inbox's addresses an envelope recipient is, or the SMTP refusal for any other. */
function createRecipientCheck(keys: readonly VerpKeys[], bounceAddress: string) {
  const at = bounceAddress.lastIndexOf('@');
  const local = bounceAddress.slice(0, at).toLowerCase();
  const domain = bounceAddress.slice(at + 1).toLowerCase();
  return async function recipientOf(address: string): Promise<InboxRecipient | Error> {
    const split = address.lastIndexOf('@');
    if (split < 0 || address.slice(split + 1).toLowerCase() !== domain) {
      return smtpError(550, `5.7.1 Relaying denied: this is the Edgepost bounce inbox of ${domain} and takes no other mail`);
    }
    // Some MTAs lower-case the local part: compare without case (the VERP MAC is lower-case hex).
    const addressLocal = address.slice(0, split).toLowerCase();
    if (addressLocal === local) return { kind: 'bounce-address' };
    if (addressLocal === `${local}+unsubscribe`) return { kind: 'unsubscribe' };
    const messageId = addressLocal.startsWith(`${local}+`) ? parseVerpAddress(keys, address) : null;
    if (messageId !== null) return { kind: 'verp', messageId };
    return smtpError(550, `5.1.1 No such address: ${domain} takes only the return paths Edgepost sends with`);
  };
}

/** Starts the inbox; resolves once it listens, rejects with what to change when it cannot. */
export async function startBounceInbox(options: BounceInboxOptions): Promise<BounceInbox> {
  const { bounceAddress, log = console } = options;
  const recipientOf = createRecipientCheck(options.keyring ?? [options.keys], bounceAddress);
  const handle = createMessageHandler(options);

  const server = new SMTPServer({
    name: bounceAddress.slice(bounceAddress.lastIndexOf('@') + 1).toLowerCase(),
    banner: 'Edgepost bounce inbox',
    // No AUTH: nobody submits mail here. No STARTTLS: MTAs deliver bounces in clear text
    // when it is not offered, and a certificate nobody checks would add nothing.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    disableReverseLookup: true,
    size: options.maxBytes,
    rejectOversized: true,
    // A bounce has one recipient; an MTA batching several of ours stays far below this.
    maxRecipients: 100,
    socketTimeout: options.idleTimeoutMs ?? 60_000,
    closeTimeout: options.closeTimeoutMs ?? 5_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      recipientOf(address.address).then(
        (result) => callback(result instanceof Error ? result : null),
        () => callback(smtpError(451, '4.3.0 Could not check the address now, try again later')),
      );
    },
    onData(stream, session, callback) {
      readMessage(stream).then(async (raw) => {
        if (!raw) return callback(smtpError(552, `5.3.4 Message too big: the bounce inbox takes at most ${options.maxBytes} bytes`));
        try {
          const recipients = await Promise.all(session.envelope.rcptTo.map((r) => recipientOf(r.address)));
          await handle(raw, recipients.filter((r): r is InboxRecipient => !(r instanceof Error)));
          callback(null, 'Bounce received');
        } catch (err) {
          log.error(`bounce inbox: could not record a message, answered 451 so its MTA retries: ${(err as Error).message}`);
          callback(smtpError(451, '4.3.0 Could not record the message now, try again later'));
        }
      });
    },
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    // Clients that hang up mid-session are the MTA's business, not ours.
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') log.error(`bounce inbox: ${err.message}`);
  });
  const port = await listen(server, options.host, options.port);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The whole message, or null when it went over the size limit (the rest is read and thrown away). */
function readMessage(stream: SMTPServerDataStream): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      if (!stream.sizeExceeded) chunks.push(chunk);
    });
    stream.on('end', () => resolve(stream.sizeExceeded ? null : Buffer.concat(chunks)));
  });
}

function listen(server: SMTPServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) =>
      reject(new Error(`the bounce inbox cannot listen on ${host}:${port} (${err.code ?? err.message}): set BOUNCE_INBOX_HOST and BOUNCE_INBOX_PORT to a free address`));
    server.server.once('error', failed);
    server.listen(port, host, () => {
      server.server.off('error', failed);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

/** What the inbox does with one accepted message: unsubscribe, record bounces, or drop it. */
function createMessageHandler({ db, keys, keyring = [keys], log = console }: BounceInboxOptions) {
  async function unsubscribeByMail(raw: Buffer): Promise<void> {
    const { subject } = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
    // The mailto List-Unsubscribe asks for the subject `unsubscribe <token>` (shared/render/message-headers.ts).
    const token = /\bunsubscribe\s+([\w-]+\.[\w-]+\.[\w-]+)/i.exec(subject ?? '')?.[1];
    const claims = token ? verifyToken(keyring, token, 'unsubscribe') : null;
    if (!claims) return log.debug('bounce inbox: dropped an unsubscribe mail without a valid token in its subject');
    await unsubscribeByMessage(db, claims.messageId, 'mailto', { method: 'MAIL' });
  }

  /**
   * Events for one recipient. VERP names the message. Mail to the bare address (feedback-loop
   * reports, bounces that lost their VERP) counts only with proof: the signed unsubscribe
   * token of the quoted original names the message, and the report must name the address
   * that message went to. Anyone can mail this inbox, and message ids and addresses are easy
   * to guess: without the token nobody is suppressed.
   */
  async function eventsFor(report: BounceReport, recipient: InboxRecipient, now: number): Promise<DeliveryEvent[]> {
    if (recipient.kind === 'verp') return bounceEvents(report, { messageId: recipient.messageId }, now);
    const token = report.original?.unsubscribeToken;
    const claims = token ? verifyToken(keyring, token, 'unsubscribe') : null;
    // The worker's message read is the query that knows the address a message went to.
    const [message] = claims ? await loadMessagesToSend(db, [claims.messageId]) : [];
    return message ? bounceEvents(report, { messageId: message.id, onlyRecipient: message.subscriber.email }, now) : [];
  }

  return async function handleMessage(raw: Buffer, recipients: InboxRecipient[]): Promise<void> {
    if (recipients.some((r) => r.kind === 'unsubscribe')) await unsubscribeByMail(raw);
    const bounceRecipients = recipients.filter((r) => r.kind !== 'unsubscribe');
    if (bounceRecipients.length === 0) return;
    const report = await classifyBounce(raw);
    const now = Date.now();
    const events = (await Promise.all(bounceRecipients.map((r) => eventsFor(report, r, now)))).flat();
    if (events.length > 0) {
      await recordDeliveryEvents(db, events);
      return;
    }
    const actionable = report.recipients.some((r) => r.verdict !== 'not-bounce');
    const reasons = [...new Set(report.recipients.map((r) => r.reason))].join(', ') || 'no recipient';
    log.debug(
      actionable
        ? `bounce inbox: dropped a ${report.format} report not tied to a message of ours (no VERP address, and no signed unsubscribe token in the quoted original naming the reported address)`
        : `bounce inbox: dropped a message that is not a bounce (${report.format}: ${reasons})`,
    );
  }
}
