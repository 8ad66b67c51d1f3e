// Webhook ingest benchmark (issue 4): a burst of single-event Postmark webhooks POSTed all at
// once to the Node edge (serveEdge) through POST /hooks/postmark with basic auth, from a
// load process of its own. Each request is answered once its event is stored (the group
// commit of edge/batch-writer.ts), so the last answer is the moment everything is stored.
//   npx tsx bench/webhook-ingest.ts [events=10000] [connections=500]
import { fork } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { edgeConfigSchema, parseConfig } from '../shared/config';
import { events, suppressions } from '../shared/db/schema';
import { deriveKeys } from '../shared/keys';
import { createRelayWebhook } from '../shared/queries/relay-webhooks';
import { encryptSecrets } from '../shared/secret-box';
import { serveEdge } from '../edge/node/serve-edge';
import { createTestDatabase } from '../test/helpers/database';
import { seedSentMessages } from './sent-messages';
import type { LoadJob, LoadResult } from './webhook-load';

const total = Number(process.argv[2] ?? 10_000);
const connections = Number(process.argv[3] ?? 500);
const SECRET_KEY = 'webhook-ingest-bench-secret-0123456789ab';
const USER = 'postmark-hooks';
const PASSWORD = 'bench-postmark-password-0123456789';

/** Postmark's record shapes: mostly deliveries, with some hard bounces (which suppress) and opens. */
function postmarkRecord(messageId: number, i: number): Record<string, unknown> {
  const common = { MessageID: `pm-${i}`, ServerID: 1, MessageStream: 'broadcast', Metadata: { edgepost_message: String(messageId) } };
  const at = new Date(Date.UTC(2026, 10, 1, 12, 0, i % 60)).toISOString();
  if (i % 20 === 7) {
    return { ...common, RecordType: 'Bounce', ID: 100_000 + i, Type: 'HardBounce', TypeCode: 1, Email: `reader${i + 1}@example.com`, BouncedAt: at, Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.', Inactive: true };
  }
  if (i % 20 === 13) {
    return { ...common, RecordType: 'Open', Recipient: `reader${i + 1}@example.com`, ReceivedAt: at, FirstOpen: true, UserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)', Platform: 'Desktop' };
  }
  return { ...common, RecordType: 'Delivery', Recipient: `reader${i + 1}@example.com`, DeliveredAt: at, Details: 'smtp;250 2.0.0 OK 1700000000 x1si123.1 - gsmtp' };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const t = await createTestDatabase();
const messageIds = await seedSentMessages(t.db, total);
const keys = await deriveKeys(SECRET_KEY);
await createRelayWebhook(t.db, { provider: 'postmark', name: 'Bench', config: { username: USER }, secrets: await encryptSecrets(keys.secrets, { password: PASSWORD }) });
const bodies = messageIds.map((id, i) => JSON.stringify(postmarkRecord(id, i)));
const hardBounces = bodies.filter((b) => b.includes('"HardBounce"')).length;

const config = parseConfig(edgeConfigSchema, { DATABASE_URL: t.url, SECRET_KEY, PUBLIC_URL: 'http://edge.test' });
const batches: number[] = [];
const server = await serveEdge({ config, port: 0, feedback: { onWritten: (size) => batches.push(size) } });

const load = fork(new URL('./webhook-load.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
const job: LoadJob = { url: `${server.url}/hooks/postmark`, authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}`, bodies, connections };
const cpu = process.cpuUsage();
const result = await new Promise<LoadResult>((resolve, reject) => {
  load.once('message', (message) => resolve(message as LoadResult));
  load.once('exit', (code) => reject(new Error(`the load process exited with ${code}`)));
  load.send(job);
});
const used = process.cpuUsage(cpu);
// Every answer came after its event was written: count before anything else can write.
const stored = await t.db.$count(events, eq(events.source, 'postmark'));
const suppressed = await t.db.$count(suppressions, eq(suppressions.reason, 'hard_bounce'));
await server.close();
t.close();

const mean = total / batches.length;
const sizes = [...batches].sort((a, b) => a - b);
const inFull = batches.filter((size) => size >= 100).reduce((a, b) => a + b, 0);
console.log(`webhook burst: ${total} single-event Postmark webhooks over ${connections} connections to serveEdge`);
console.log(`  answers: ${JSON.stringify(result.statuses)}`);
console.log(`  ack latency: p50 ${percentile(result.latencies, 50).toFixed(1)} ms, p99 ${percentile(result.latencies, 99).toFixed(1)} ms, max ${result.latencies.at(-1)!.toFixed(1)} ms`);
console.log(`  ${Math.round(total / (result.wallMs / 1000))} events/s; all ${total} acknowledged and stored ${(result.wallMs / 1000).toFixed(2)} s after the first request`);
console.log(
  `  database writes: ${batches.length}, ${mean.toFixed(1)} events per write on average, median ${percentile(sizes, 50)}; ${((inFull / total) * 100).toFixed(0)}% of the events were written in batches of 100`,
);
console.log(`  edge CPU: ${((used.user + used.system) / total).toFixed(0)} µs per event`);
console.log(`  stored: ${stored} events (expected ${total}), ${suppressed} hard-bounce suppressions (expected ${hardBounces})`);
if (stored !== total || suppressed !== hardBounces || result.statuses[200] !== total) process.exit(1);
