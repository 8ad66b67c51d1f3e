// What goes through the Cloudflare Queue `EVENTS` (wrangler.toml). Tracking hits are packed,
// up to 100 to a message: the request path gathers the isolate's concurrent hits anyway, and
// one message per hit made every hit pay the queue's per-message work (three billed
// operations on Cloudflare: write, read, delete) and kept the consumer's database writes at
// 100 events (bench/workerd-tracking.ts). Delivery events stay one per message, so the queue
// retries and dead-letters each on its own. Messages are sent as JSON (never V8
// serialisation), so their size is known before sending and any version of the Worker reads them.
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../shared/feedback/delivery-event';
import { MAX_USER_AGENT, type Hit, type HitRow } from '../shared/queries/hits';
import { newHitKey } from './hit-key';

export type EventMessage =
  /**
   * Each hit's `key` is fixed by the producer, so a redelivered message is recorded once.
   * `machine` and `reason` (the request-time verdict) are optional: a hit queued by an older
   * Worker lacks them and is classified when written, from its agent and method. A hit of
   * anonymous tracking carries `campaignId` and no `messageId` (shared/queries/hits.ts).
   */
  | { kind: 'hits'; hits: HitRow[] }
  /** One hit, as Workers sent them before hits were packed: still read, no longer sent. */
  | { kind: 'hit'; hit: HitRow }
  | { kind: 'delivery'; event: DeliveryEvent };

/**
 * The largest message we send. Cloudflare's limit is 128 KB with its own metadata; hits and
 * events are a few hundred bytes, so only a pathological URL or payload can come near this.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The most hits in one message: a consumer batch of 100 messages then holds at most 10,000. */
export const MAX_HITS_PER_MESSAGE = 100;

/** Cloudflare's limits on one sendBatch call: 100 messages and 256 KB in all (kept under, for metadata). */
export const MAX_SEND_BATCH_MESSAGES = 100;
export const MAX_SEND_BATCH_BYTES = 192 * 1024;

const encoder = new TextEncoder();

/** A message ready to send, with its size in bytes as JSON. */
export interface SizedMessage {
  body: EventMessage;
  bytes: number;
}

function sized(body: EventMessage, what: string): SizedMessage {
  const bytes = encoder.encode(JSON.stringify(body)).length;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new RangeError(`${what} is ${bytes} bytes as a queue message, over the ${MAX_MESSAGE_BYTES}-byte limit (its URL or details are too long)`);
  }
  return { body, bytes };
}

/** A hit with its key, ready to pack, and its size in bytes as JSON. */
export interface SizedHit {
  row: HitRow;
  bytes: number;
}

/** `{"kind":"hits","hits":[` and `]}` around the hits, which are joined by commas. */
const HITS_ENVELOPE_BYTES = encoder.encode(JSON.stringify({ kind: 'hits', hits: [] })).length;

/** One hit, its key chosen now; the user agent is cut where the database would cut it. */
export function sizedHit(hit: Hit): SizedHit {
  const row: HitRow = { ...hit, key: newHitKey() };
  if (row.userAgent !== undefined) row.userAgent = row.userAgent.slice(0, MAX_USER_AGENT);
  const bytes = encoder.encode(JSON.stringify(row)).length;
  if (HITS_ENVELOPE_BYTES + bytes > MAX_MESSAGE_BYTES) {
    throw new RangeError(`A tracking hit is ${HITS_ENVELOPE_BYTES + bytes} bytes as a queue message, over the ${MAX_MESSAGE_BYTES}-byte limit (its URL or details are too long)`);
  }
  return { row, bytes };
}

/** Packs hits into as few messages as the count and size limits allow, in order. */
export function hitMessages(hits: readonly SizedHit[]): SizedMessage[] {
  const messages: SizedMessage[] = [];
  let rows: HitRow[] = [];
  let bytes = HITS_ENVELOPE_BYTES;
  for (const hit of hits) {
    if (rows.length === MAX_HITS_PER_MESSAGE || (rows.length > 0 && bytes + 1 + hit.bytes > MAX_MESSAGE_BYTES)) {
      messages.push({ body: { kind: 'hits', hits: rows }, bytes });
      rows = [];
      bytes = HITS_ENVELOPE_BYTES;
    }
    bytes += hit.bytes + (rows.length > 0 ? 1 : 0);
    rows.push(hit.row);
  }
  if (rows.length > 0) messages.push({ body: { kind: 'hits', hits: rows }, bytes });
  return messages;
}

/** The message for one delivery event; free text is cut where the database would cut it. */
export function deliveryMessage(event: DeliveryEvent): SizedMessage {
  const trimmed: DeliveryEvent = { ...event };
  if (trimmed.diagnostic !== undefined) trimmed.diagnostic = trimmed.diagnostic.slice(0, MAX_DIAGNOSTIC);
  if (trimmed.userAgent !== undefined) trimmed.userAgent = trimmed.userAgent.slice(0, MAX_USER_AGENT);
  return sized({ kind: 'delivery', event: trimmed }, `A ${event.source} delivery event`);
}

/** Splits messages into sendBatch calls within Cloudflare's count and size limits, in order. */
export function sendBatches(messages: readonly SizedMessage[]): SizedMessage[][] {
  const batches: SizedMessage[][] = [];
  let current: SizedMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length === MAX_SEND_BATCH_MESSAGES || (current.length > 0 && bytes + message.bytes > MAX_SEND_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
