// What goes through the Cloudflare Queue `EVENTS` (wrangler.toml): tracking hits and relay
// delivery events, packed up to 100 to a message. The request path gathers the isolate's
// concurrent hits anyway, and a webhook brings its events together; one message per event
// made every event pay the queue's per-message work (three billed operations on Cloudflare:
// write, read, delete) and kept the consumer's database writes at 100 events
// (bench/workerd-tracking.ts). Messages are sent as JSON (never V8 serialisation), so their
// size is known before sending and any version of the Worker reads them.
import { MAX_DIAGNOSTIC, type DeliveryEvent } from '../shared/feedback/delivery-event';
import { MAX_USER_AGENT, type Hit, type HitRow } from '../shared/tracking/hit';
import { newHitKey } from './hit-key';

export type EventMessage =
  /**
   * Each hit's `key` is fixed by the producer, so a redelivered message is recorded once.
   * `machine` and `reason` (the request-time verdict) are optional: a hit queued by an older
   * Worker lacks them and is classified when written, from its agent and method. A hit of
   * anonymous tracking carries `campaignId` and no `messageId` (shared/queries/hits.ts).
   */
  | { kind: 'hits'; hits: HitRow[] }
  | { kind: 'deliveries'; events: DeliveryEvent[] }
  /** One event, as Workers sent them before events were packed: still read, no longer sent. */
  | { kind: 'hit'; hit: HitRow }
  | { kind: 'delivery'; event: DeliveryEvent };

/**
 * The largest message we send. Cloudflare's limit is 128 KB with its own metadata; hits and
 * events are a few hundred bytes, so only a pathological URL or payload can come near this.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The most events in one message: a consumer batch of 100 messages then holds at most 10,000. */
export const MAX_EVENTS_PER_MESSAGE = 100;

/** Cloudflare's limits on one sendBatch call: 100 messages and 256 KB in all (kept under, for metadata). */
export const MAX_SEND_BATCH_MESSAGES = 100;
export const MAX_SEND_BATCH_BYTES = 192 * 1024;

const encoder = new TextEncoder();

/** A message ready to send, with its size in bytes as JSON. */
export interface SizedMessage {
  body: EventMessage;
  bytes: number;
}

/** An event ready to pack, with its size in bytes as JSON. */
export interface Sized<T> {
  item: T;
  bytes: number;
}

/**
 * Sizing and packing for one kind of packed message: `wrap` makes the message of some
 * events, whose JSON is the envelope around them joined by commas.
 */
function packer<T>(wrap: (items: T[]) => EventMessage) {
  const envelope = encoder.encode(JSON.stringify(wrap([]))).length;
  return {
    size(item: T, what: string): Sized<T> {
      const bytes = encoder.encode(JSON.stringify(item)).length;
      if (envelope + bytes > MAX_MESSAGE_BYTES) {
        throw new RangeError(`${what} is ${envelope + bytes} bytes as a queue message, over the ${MAX_MESSAGE_BYTES}-byte limit (its URL or details are too long)`);
      }
      return { item, bytes };
    },
    /** Packs events into as few messages as the count and size limits allow, in order. */
    pack(sized: readonly Sized<T>[]): SizedMessage[] {
      const messages: SizedMessage[] = [];
      let items: T[] = [];
      let bytes = envelope;
      for (const one of sized) {
        if (items.length === MAX_EVENTS_PER_MESSAGE || (items.length > 0 && bytes + 1 + one.bytes > MAX_MESSAGE_BYTES)) {
          messages.push({ body: wrap(items), bytes });
          items = [];
          bytes = envelope;
        }
        bytes += one.bytes + (items.length > 0 ? 1 : 0);
        items.push(one.item);
      }
      if (items.length > 0) messages.push({ body: wrap(items), bytes });
      return messages;
    },
  };
}

const hits = packer<HitRow>((rows) => ({ kind: 'hits', hits: rows }));
const deliveries = packer<DeliveryEvent>((events) => ({ kind: 'deliveries', events }));

/** One hit, its key chosen now; the user agent is cut where the database would cut it. */
export function sizedHit(hit: Hit): Sized<HitRow> {
  const row: HitRow = { ...hit, key: newHitKey() };
  if (row.userAgent !== undefined) row.userAgent = row.userAgent.slice(0, MAX_USER_AGENT);
  return hits.size(row, 'A tracking hit');
}

/** One delivery event; free text is cut where the database would cut it. */
export function sizedDelivery(event: DeliveryEvent): Sized<DeliveryEvent> {
  const trimmed: DeliveryEvent = { ...event };
  if (trimmed.diagnostic !== undefined) trimmed.diagnostic = trimmed.diagnostic.slice(0, MAX_DIAGNOSTIC);
  if (trimmed.userAgent !== undefined) trimmed.userAgent = trimmed.userAgent.slice(0, MAX_USER_AGENT);
  return deliveries.size(trimmed, `A ${event.source} delivery event`);
}

export const hitMessages = hits.pack;
export const deliveryMessages = deliveries.pack;

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
