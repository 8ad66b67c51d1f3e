// Relay latency benchmark (issue 3): a relay that takes 50 ms to accept each message, and
// Edgepost's throughput as the server's pool grows (1, 10, 50 connections): with pooled
// connections kept busy, throughput should grow with them instead of stalling on latency.
//   npx tsx bench/relay-latency.ts [messages=3000] [delayMs=50] [connections=1,10,50]
//   SINK_PROCESSES=2 runs the relay as two processes on its port (see sink-process.ts).
//   SINK_RTT_MS=n puts a network round trip of n ms in front of the relay (delayMs 0 for a
//   relay that answers at once): what pipelining across messages saves.
import { fork } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { campaigns, sendingServers } from '../shared/db/schema';
import { createTestDatabase } from '../test/helpers/database';
import { seedCampaign } from '../test/helpers/seed';
import { campaignReaches, dropQueue, startTestSender, testSenderConfig } from '../test/helpers/sender';

const total = Number(process.argv[2] ?? 3000);
const delayMs = Number(process.argv[3] ?? 50);
const poolSizes = (process.argv[4] ?? '1,10,50').split(',').map(Number);

const sink = fork(new URL('./sink-process.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, SINK_DELAY_MS: String(delayMs) } });
const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
const results: Record<string, number> = {};
const cpuMs: Record<string, number> = {};

for (const connections of poolSizes) {
  const t = await createTestDatabase();
  // Enough jobs in flight to keep every connection busy: with PIPELINING one carries two
  // messages at a time (one awaiting its reply, the next written behind it), and a job spends
  // part of its time outside SMTP (render, database, queue).
  const config = testSenderConfig({ DATABASE_URL: t.url, SENDER_CONCURRENCY: String(Math.max(20, connections * 4)) });
  const { campaign, server } = await seedCampaign(t.db, { subscribers: total, smtpPort: port, format: 'text', body: 'Hello {{ subscriber.name }}', status: 'draft' });
  await t.db.update(sendingServers).set({ config: { ...server.config, poolSize: connections } }).where(eq(sendingServers.id, server.id));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await t.db.update(campaigns).set({ status: 'queued' }).where(eq(campaigns.id, campaign.id));
  const sender = await startTestSender(t.db, config);
  await campaignReaches(t.db, campaign.id, 'sent', 900_000);
  const cpu = process.cpuUsage(cpuBefore);
  results[`${connections} connections`] = Math.round((total / (performance.now() - started)) * 1000);
  cpuMs[`${connections} connections`] = +((cpu.user + cpu.system) / 1000 / total).toFixed(3);
  await sender.close();
  await dropQueue(config);
  t.close();
}
sink.send('stop');
console.log(JSON.stringify({ messages: total, relayLatencyMs: delayMs, messagesPerSecond: results, cpuMsPerMessage: cpuMs }, null, 2));
process.exit(0);
