// Event ingest into libSQL (issue 5: ≥ 50,000 events/s in batches): recordDeliveryEvents and
// recordHits alone, writing batches one after another as the group commit and the queue
// consumer do, on a database file with a sent campaign to match the events against.
//   npx tsx bench/event-ingest.ts [events=50000]
import { sql } from 'drizzle-orm';
import type { Database } from '../shared/db/database';
import { events } from '../shared/db/schema';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { recordHits } from '../shared/queries/hits';
import type { HitRow } from '../shared/tracking/hit';
import { newHitKey } from '../edge/hit-key';
import { createTestDatabase } from '../test/helpers/database';
import { seedSentMessages } from './sent-messages';

const total = Number(process.argv[2] ?? 50_000);
const MESSAGES = 10_000;

/** Relay events as webhooks bring them: mostly deliveries and opens, some soft and hard bounces. */
function deliveryEvent(messageId: number, i: number): DeliveryEvent {
  const base = { source: 'sendgrid' as const, key: `sendgrid:bench-${i}`, messageId, recipient: `reader${i % MESSAGES}@example.com`, occurredAt: Date.now() };
  if (i % 20 === 7) return { ...base, type: 'bounce', bounceClass: 'hard', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' };
  if (i % 20 === 11) return { ...base, type: 'bounce', bounceClass: 'soft', status: '4.2.2', diagnostic: '452 4.2.2 mailbox full' };
  if (i % 4 === 1) return { ...base, type: 'open', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)', machine: false };
  return { ...base, type: 'delivered', diagnostic: '250 2.0.0 OK' };
}

function hit(messageId: number, i: number): HitRow {
  return i % 3 === 0
    ? { kind: 'click', key: newHitKey(), messageId, url: `https://shop.example.com/products/${i % 20}?utm_source=news`, at: Date.now(), method: 'GET', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' }
    : { kind: 'open', key: newHitKey(), messageId, at: Date.now(), method: 'GET', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' };
}

/**
 * The floor under both writers: the same hits as bare rows, one INSERT … SELECT from the batch
 * as JSON per batch, into the same table with its indexes and triggers, and nothing else (no
 * message lookup, classification, idempotency upsert or rollup).
 */
async function bareInsert(db: Database, batch: HitRow[]): Promise<void> {
  const rows = batch.map((h) => [h.key, h.kind, h.messageId, h.at, h.url ?? null]);
  await db.run(sql`insert into events (key, type, message_id, occurred_at, url)
    select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 from json_each(${JSON.stringify(rows)})`);
}

async function run<T>(name: string, batchSize: number, make: (messageId: number, i: number) => T, write: (db: Database, batch: T[]) => Promise<unknown>) {
  const t = await createTestDatabase();
  const ids = await seedSentMessages(t.db, MESSAGES);
  const items = Array.from({ length: total }, (_, i) => make(ids[i % ids.length]!, i));
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let from = 0; from < total; from += batchSize) await write(t.db, items.slice(from, from + batchSize));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const rows = await t.db.$count(events);
  t.close();
  console.log(`  ${name}, batches of ${batchSize}: ${Math.round(total / seconds).toLocaleString('en')} events/s (${((seconds * 1000 * batchSize) / total).toFixed(1)} ms per batch, ${((used.user + used.system) / total).toFixed(1)} µs CPU per event, ${rows} rows)`);
}

console.log(`event ingest: ${total} events per run, ${MESSAGES} sent messages, libSQL file, batches written one after another`);
for (const size of [100, 1000]) {
  await run('recordDeliveryEvents', size, deliveryEvent, recordDeliveryEvents);
  await run('recordHits', size, hit, recordHits);
  await run('bare INSERT of the hits (the floor)', size, hit, bareInsert);
}
