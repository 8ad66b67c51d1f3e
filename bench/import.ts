// CSV import of subscribers (brief: 100,000 rows in well under a minute), then what the
// subscriber filters and the export cost on the table the import filled.
//   npx tsx bench/import.ts [rows=100000]
// The file: email, first and last name, three attributes; 10% of the addresses already
// subscribers (existing: update), 1% bad addresses, 0.5% repeated addresses. The import runs
// as a sender does (claim, count, chunks of 500), on a libSQL file.
import { inspectCsv } from '../shared/csv/inspect-csv';
import { lists, subscribers } from '../shared/db/schema';
import { claimImportJob, createImportJob, getImportJob } from '../shared/queries/imports';
import { selectSubscriberPage, listSubscribers, type SubscriberFilter } from '../shared/queries/subscribers';
import { runImport } from '../sender/imports/run-import';
import { createTestDatabase } from '../test/helpers/database';

const rows = Number(process.argv[2] ?? 100_000);
const t = await createTestDatabase();
const [list] = await t.db.insert(lists).values({ name: 'Customers', optin: 'single' }).returning();

const existing = Array.from({ length: rows / 10 }, (_, i) => ({ email: `person${i * 10}@example.com`, name: 'Old name', attributes: { plan: 'free' } }));
for (let i = 0; i < existing.length; i += 500) await t.db.insert(subscribers).values(existing.slice(i, i + 500));

function line(i: number): string {
  if (i % 100 === 42) return `not-an-address-${i},Bad,Row,Nowhere,free,2024-01-01\r\n`;
  const n = i % 200 === 7 ? i - 7 : i; // a repeat of an earlier row
  return `person${n}@example.com,First${n},"Last, ${n}",City ${n % 500},${n % 3 ? 'pro' : 'free'},2024-${String((n % 12) + 1).padStart(2, '0')}-01\r\n`;
}
const csv = `Email,First name,Last name,City,Plan,Signed up\r\n${Array.from({ length: rows }, (_, i) => line(i)).join('')}`;
const bytes = new TextEncoder().encode(csv);

let started = performance.now();
const inspected = inspectCsv(bytes, { rows: 1 });
const apiMs = performance.now() - started;

const job = await createImportJob(t.db, {
  fileName: 'bench.csv',
  listIds: [list!.id],
  mapping: { Email: 'email', 'First name': 'name', 'Last name': 'name', City: 'attributes.city', Plan: 'attributes.plan', 'Signed up': 'attributes.signed_up' },
  options: { existing: 'update', delimiter: inspected.delimiter, encoding: inspected.encoding },
  csv: inspected.text,
});
const cpu = process.cpuUsage();
started = performance.now();
const claimed = await claimImportJob(t.db, 'bench', 60_000);
await runImport({ db: t.db, senderId: 'bench', leaseMs: 60_000, chunkSize: 500, stopping: () => false }, claimed!);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const done = (await getImportJob(t.db, job.id))!;

console.log(`import: ${rows.toLocaleString('en')} rows, ${(bytes.length / 1024 / 1024).toFixed(1)} MB, libSQL file, chunks of 500`);
console.log(`  API side (decode, delimiter, header): ${apiMs.toFixed(0)} ms`);
console.log(`  sender: ${seconds.toFixed(2)} s, ${Math.round(rows / seconds).toLocaleString('en')} rows/s, ${((used.user + used.system) / rows).toFixed(1)} µs CPU per row`);
console.log(`  outcome: ${done.status}, ${done.insertedRows} inserted, ${done.updatedRows} updated, ${done.rejectedRows} rejected`);

async function timed(label: string, run: () => Promise<unknown>) {
  await run();
  const from = performance.now();
  const result = await run();
  console.log(`  ${label}: ${(performance.now() - from).toFixed(1)} ms${Array.isArray(result) ? ` (${result.length} rows)` : ''}`);
}
const page = (filter: SubscriberFilter) => async () => (await listSubscribers(t.db, { ...filter, limit: 50 })).rows;
const [vip] = await t.db.insert(lists).values({ name: 'VIP' }).returning();
await t.client.execute({ sql: 'insert into list_members (list_id, subscriber_id) select ?, id from subscribers where id % 1000 = 0', args: [vip!.id] });
const total = await t.db.$count(subscribers);
console.log(`filters, a page of 50 out of ${total.toLocaleString('en')} subscribers:`);
await timed('search, common (many matches)', page({ search: 'first' }));
await timed('search, rare (one match: a scan)', page({ search: `first${rows - 3}` }));
await timed('search, no match (a whole scan)', page({ search: 'nobody-here' }));
await timed('attribute, common', page({ attributes: { plan: 'pro' } }));
await timed('attribute, no match (a whole scan)', page({ attributes: { city: 'Atlantis' } }));
await timed('list and status', page({ list: list!.id, listStatus: 'subscribed' }));
await timed('a list of 98 members', page({ list: vip!.id }));
await timed('export, every subscriber in pages of 1,000', async () => {
  let cursor: number | undefined;
  let count = 0;
  for (;;) {
    const batch = await selectSubscriberPage(t.db, { cursor, limit: 1000 });
    count += batch.length;
    if (batch.length < 1000) return count;
    cursor = batch[batch.length - 1]!.id;
  }
});
t.close();
