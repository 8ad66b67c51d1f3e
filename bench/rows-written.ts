// Rows written per message sent (issue 5: ≤ 1.1, sends and tracking together), counted the
// way Turso bills them (bench/write-counter.ts), through the real write paths in the batch
// sizes the planes use: the dispatcher's claim and fan-out pages (createMessages,
// advanceCursor), the worker's outcomes (markMessagesSent batches, retries, failures), relay
// webhooks (recordDeliveryEvents, batches of 100), pixel and click hits (recordHits, batches
// of 100) and unsubscribes (unsubscribeByMessage). No webhook endpoint is configured (with
// one, its outbox triggers add a row per subscribed event).
//   npx tsx bench/rows-written.ts [messages=20000] [sentBatch=20]
// Engagement mix (of messages sent): 0.8% hard and 0.6% soft bounces, the rest delivered,
// 1.5% deferred first; 0.05% complaints; 45% opened (half of them by Apple Mail Privacy
// Protection, one machine open each; the other half 1–3 human opens); 4% clicked by people
// (1–2 clicks over 40 links); 1% clicked by a scanner (3 links within a second of the send);
// 0.2% unsubscribe. Recipients: 70% at eight big mailbox providers, 30% at their own domains.
import { sql } from 'drizzle-orm';
import { newHitKey } from '../edge/hit-key';
import type { Database } from '../shared/db/database';
import type { DeliveryEvent } from '../shared/feedback/delivery-event';
import { advanceCursor, claimDueCampaign, finishCampaign } from '../shared/queries/campaign-claims';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { unsubscribeByMessage } from '../shared/queries/events';
import { recordHits } from '../shared/queries/hits';
import type { HitRow } from '../shared/tracking/hit';
import { createMessages, markMessageFinal, markMessageRetrying, markMessagesSent } from '../shared/queries/messages';
import { nextRecipients } from '../shared/queries/recipients';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { installWriteCounter, readWrites, totalWrites, writesBetween, type WriteTally } from './write-counter';

const N = Number(process.argv[2] ?? 20_000);
const SENT_BATCH = Number(process.argv[3] ?? 20);
const PAGE = 500; // the dispatcher's default page
const FEEDBACK_BATCH = 100; // the batch writers' default
const SENDER = 'bench-sender';
const BIG_DOMAINS: [string, number][] = [['gmail.com', 35], ['yahoo.com', 8], ['outlook.com', 8], ['hotmail.com', 7], ['icloud.com', 5], ['gmx.de', 3], ['aol.com', 2], ['web.de', 2]];

/** A fixed pseudo-random fraction for message `i` and a purpose, so every run is the same. */
function chance(i: number, salt: number): number {
  let x = Math.imul(i ^ Math.imul(salt, 0x9e3779b9), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

function email(i: number): string {
  let pick = chance(i, 1) * 100;
  for (const [domain, share] of BIG_DOMAINS) if ((pick -= share) < 0) return `reader${i}@${domain}`;
  return `reader${i}@company${i}.example`;
}

async function seed(t: TestDatabase): Promise<number> {
  const emails = JSON.stringify(Array.from({ length: N }, (_, i) => email(i)));
  await t.client.execute({ sql: `insert into subscribers (email, name) select value, '' from json_each(?)`, args: [emails] });
  await t.client.execute(`insert into lists (id, name) values (1, 'All')`);
  await t.client.execute(`insert into list_members (list_id, subscriber_id) select 1, id from subscribers`);
  await t.client.execute(`insert into sending_servers (name, driver, is_default) values ('capture', 'capture', 1)`);
  const c = await t.client.execute(`insert into campaigns (name, subject, from_address, format, body, status) values ('Bench', 'Hi', 'news@shop.example.com', 'html', '<p>Hi</p>', 'queued') returning id`);
  const campaignId = Number(c.rows[0]!.id);
  await t.client.execute({ sql: `insert into campaign_lists (campaign_id, list_id) values (?, 1)`, args: [campaignId] });
  return campaignId;
}

async function sendCampaign(db: Database, campaignId: number): Promise<void> {
  await claimDueCampaign(db, SENDER, 60_000, []);
  for (let cursor = 0; ; ) {
    const recipients = await nextRecipients(db, campaignId, cursor, PAGE);
    await createMessages(db, campaignId, recipients);
    cursor = recipients.at(-1) ?? cursor;
    await advanceCursor(db, campaignId, SENDER, cursor, recipients.length < PAGE);
    if (recipients.length < PAGE) return;
  }
}

async function recordOutcomes(db: Database, ids: number[]): Promise<void> {
  let batch: number[] = [];
  const flush = async () => {
    await markMessagesSent(db, batch.map((messageId) => ({ messageId, attempts: 1, providerMessageId: `<${messageId}@relay.example>`, serverId: 1 })));
    batch = [];
  };
  for (const [i, id] of ids.entries()) {
    const r = chance(i, 2);
    if (r < 0.003) await markMessageFinal(db, id, 'failed', 1, '550 5.7.1 relay refused');
    else if (r < 0.005) await markMessageFinal(db, id, 'skipped', 0, 'address is on the suppression list');
    else {
      if (r < 0.015) await markMessageRetrying(db, id, 1, '421 4.7.0 try again later');
      batch.push(id);
      if (batch.length === SENT_BATCH) await flush();
    }
  }
  if (batch.length > 0) await flush();
}

async function inBatches<T>(items: T[], size: number, write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < items.length; from += size) await write(items.slice(from, from + size));
}

function feedback(sent: { id: number; email: string }[]): { events: DeliveryEvent[]; delivered: { id: number; i: number }[] } {
  const events: DeliveryEvent[] = [];
  const delivered: { id: number; i: number }[] = [];
  for (const [i, m] of sent.entries()) {
    const base = { source: 'sendgrid' as const, messageId: m.id, recipient: m.email, occurredAt: Date.now() };
    const r = chance(i, 3);
    if (r < 0.008) events.push({ ...base, key: `sendgrid:b${m.id}`, type: 'bounce', bounceClass: 'hard', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' });
    else if (r < 0.014) events.push({ ...base, key: `sendgrid:b${m.id}`, type: 'bounce', bounceClass: 'soft', status: '4.2.2', diagnostic: '452 4.2.2 mailbox full' });
    else {
      if (chance(i, 4) < 0.015) events.push({ ...base, key: `sendgrid:f${m.id}`, type: 'deferred', status: '4.7.1', diagnostic: '421 try later' });
      events.push({ ...base, key: `sendgrid:d${m.id}`, type: 'delivered', diagnostic: '250 2.0.0 OK' });
      if (chance(i, 5) < 0.0005) events.push({ ...base, key: `sendgrid:c${m.id}`, type: 'complaint' });
      delivered.push({ id: m.id, i });
    }
  }
  return { events, delivered };
}

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

function hits(delivered: { id: number; i: number }[]): { opens: HitRow[]; clicks: HitRow[] } {
  const opens: HitRow[] = [];
  const clicks: HitRow[] = [];
  const later = Date.now() + 10 * 60_000; // well after the send: not an early click
  const open = (messageId: number, at: number, machine: boolean): HitRow =>
    ({ kind: 'open', key: newHitKey(), messageId, at, method: 'GET', userAgent: machine ? 'Mozilla/5.0' : UA, machine, reason: machine ? 'apple-mpp' : 'human' });
  const click = (messageId: number, at: number, link: number, machine: boolean): HitRow =>
    ({ kind: 'click', key: newHitKey(), messageId, at, url: `https://shop.example.com/item/${link}`, method: machine ? 'HEAD' : 'GET', userAgent: UA, machine, reason: machine ? 'head-request' : 'human' });
  for (const { id, i } of delivered) {
    if (chance(i, 6) < 0.45) {
      if (chance(i, 7) < 0.5) opens.push(open(id, Date.now(), true));
      else for (let k = 0; k < 1 + Math.floor(chance(i, 8) * 3); k++) opens.push(open(id, later + k * 3_600_000, false));
    }
    if (chance(i, 9) < 0.04) for (let k = 0; k < 1 + Math.floor(chance(i, 10) * 2); k++) clicks.push(click(id, later + k * 600_000, Math.floor(chance(i, 11 + k) * 40), false));
    if (chance(i, 13) < 0.01) for (let k = 0; k < 3; k++) clicks.push(click(id, Date.now() + k * 100, k, true));
  }
  return { opens, clicks };
}

/** Runs `work` and returns the rows it wrote. */
async function step(t: TestDatabase, work: () => Promise<unknown>): Promise<WriteTally> {
  const before = await readWrites(t.client);
  await work();
  return writesBetween(before, await readWrites(t.client));
}

const t = await createTestDatabase();
const campaignId = await seed(t);
await installWriteCounter(t.client);
const steps: [string, WriteTally][] = [];

steps.push(['claim, fan-out (pages of 500), cursor', await step(t, () => sendCampaign(t.db, campaignId))]);
const ids = (await t.db.all<{ id: number }>(sql`select id from messages where campaign_id = ${campaignId} order by id`)).map((r) => r.id);
steps.push([`send outcomes (sent in batches of ${SENT_BATCH}; retries, failures)`, await step(t, () => recordOutcomes(t.db, ids))]);
steps.push(['campaign finished', await step(t, () => finishCampaign(t.db, campaignId, SENDER, 'sent'))]);
const sent = await t.db.all<{ id: number; email: string }>(sql`
  select m.id, s.email from messages m join subscribers s on s.id = m.subscriber_id where m.campaign_id = ${campaignId} and m.status = 'sent' order by m.id`);
const { events, delivered } = feedback(sent);
steps.push([`relay webhooks (${events.length} events, batches of ${FEEDBACK_BATCH})`, await step(t, () => inBatches(events, FEEDBACK_BATCH, (b) => recordDeliveryEvents(t.db, b)))]);
const { opens, clicks } = hits(delivered);
steps.push([`opens (${opens.length} hits, batches of ${FEEDBACK_BATCH})`, await step(t, () => inBatches(opens, FEEDBACK_BATCH, (b) => recordHits(t.db, b)))]);
steps.push([`clicks (${clicks.length} hits, batches of ${FEEDBACK_BATCH})`, await step(t, () => inBatches(clicks, FEEDBACK_BATCH, (b) => recordHits(t.db, b)))]);
const leaving = delivered.filter((d) => chance(d.i, 14) < 0.002);
steps.push([`unsubscribes (${leaving.length}, one request each)`, await step(t, async () => {
  for (const d of leaving) await unsubscribeByMessage(t.db, d.id, 'one-click');
})]);

const perSent = (n: number) => (n / sent.length).toFixed(3);
console.log(`rows written per message sent: ${N} recipients, ${sent.length} sent, libSQL file, no webhook endpoints`);
const all: WriteTally = new Map();
for (const [name, tally] of steps) {
  console.log(`\n  ${name}: ${totalWrites(tally)} rows, ${perSent(totalWrites(tally))} per message sent`);
  for (const [key, n] of [...tally].sort((a, b) => b[1] - a[1])) {
    console.log(`    ${key.padEnd(36)} ${String(n).padStart(8)}  ${perSent(n)}`);
    all.set(key, (all.get(key) ?? 0) + n);
  }
}
console.log(`\n  total: ${totalWrites(all)} rows, ${perSent(totalWrites(all))} per message sent`);
for (const [key, n] of [...all].sort((a, b) => b[1] - a[1])) console.log(`    ${key.padEnd(36)} ${String(n).padStart(8)}  ${perSent(n)}`);
t.close();
