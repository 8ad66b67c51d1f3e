// Send pipeline benchmark (issue 2): Edgepost's whole pipeline (claim, fan out, render,
// sign, send) against nodemailer's pooled transport sending the same pre-rendered messages,
// both to one loopback SMTP sink in another process, in one run.
//   npx tsx --max-semi-space-size=32 bench/send-pipeline.ts [messages=5000] [htmlKb=43]
//   (the sender's V8 flag; 43 KB of MJML's HTML, compacted as the sender sends it, makes a
//   ~52 KB MIME message; 34 made ~50 KB before compaction)
//   BENCH_DKIM=rsa|ed25519 signs every message (both sides: nodemailer with a parsed key object).
//   BENCH_POOL=n: SMTP connections on each side (default 5).
//   BENCH_SKIP_BASELINE=1 runs Edgepost alone (nodemailer's figures are then null).
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { campaigns, sendingServers, subscribers } from '../shared/db/schema';
import { encryptSecrets } from '../shared/secret-box';
import { deriveKeys } from '../shared/keys';
import { compileCampaign } from '../shared/render/compile-campaign';
import { renderMessage } from '../shared/render/render-message';
import { toMailOptions } from './mail-options';
import { createTestDatabase } from '../test/helpers/database';
import { seedCampaign } from '../test/helpers/seed';
import { campaignReaches, dropQueue, startTestSender, TEST_SECRET, testSenderConfig } from '../test/helpers/sender';
import { benchMjml } from './bench-campaign';
import { compactMjml2Html } from '../sender/compact-mjml';

const total = Number(process.argv[2] ?? 5000);
const htmlKb = Number(process.argv[3] ?? 43);
const POOL = Number(process.env.BENCH_POOL ?? 5);

function startSink(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL('./sink-process.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve) => child.once('message', (m: { port: number }) => resolve({ child, port: m.port })));
}
function sinkCount(child: ChildProcess): Promise<{ count: number; connections: number; cpuMs: number }> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send('count');
  });
}

const { child: sink, port } = await startSink();
const t = await createTestDatabase();
const config = testSenderConfig({ DATABASE_URL: t.url, SENDER_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? '50' });
const { campaign, server } = await seedCampaign(t.db, { subscribers: total, smtpPort: port, body: await benchMjml(htmlKb), status: 'draft' });
const keys = await deriveKeys(TEST_SECRET);

// DKIM on both sides when asked: the same key, parsed once.
const dkimKind = process.env.BENCH_DKIM as 'rsa' | 'ed25519' | undefined;
const dkimKey =
  dkimKind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : dkimKind === 'ed25519' ? generateKeyPairSync('ed25519').privateKey : undefined;
const dkim = dkimKey ? { domainName: 'shop.example.com', keySelector: 'bench' } : undefined;
const pem = dkimKey?.export({ type: 'pkcs8', format: 'pem' }) as string | undefined;
await t.db
  .update(sendingServers)
  .set({
    config: { ...server.config, poolSize: POOL, ...(dkim ? { dkim } : {}) },
    ...(pem ? { secrets: await encryptSecrets(keys.secrets, { dkimPrivateKey: pem }) } : {}),
  })
  .where(eq(sendingServers.id, server.id));

// Baseline: the same messages, rendered beforehand, through nodemailer's pool. In a function
// of its own, so that the rendered messages are garbage before Edgepost's run starts.
async function runBaseline(): Promise<{ ms: number; mimeBytes: number }> {
  const compiled = await compileCampaign(campaign, compactMjml2Html);
  const people = await t.db.select().from(subscribers).orderBy(subscribers.id);
  const count = process.env.BENCH_SKIP_BASELINE ? 1 : people.length;
  const rendered = people.slice(0, count).map((s, i) => renderMessage(compiled, { messageId: i + 1, subscriber: s }, { publicUrl: config.PUBLIC_URL, keys }));
  const mimeBytes = ((await createTransport({ streamTransport: true, buffer: true }).sendMail(toMailOptions({ ...rendered[0]!, messageId: 1 }))).message as Buffer).length;
  if (process.env.BENCH_SKIP_BASELINE) return { ms: 0, mimeBytes };
  const pool = createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    ignoreTLS: true,
    maxConnections: POOL,
    maxMessages: Infinity,
    ...(dkimKey ? { dkim: { ...dkim!, privateKey: dkimKey as unknown as string } } : {}),
  });
  const started = performance.now();
  await Promise.all(rendered.map((m, i) => pool.sendMail(toMailOptions({ ...m, messageId: i + 1 }))));
  const ms = performance.now() - started;
  pool.close();
  return { ms, mimeBytes };
}
const { ms: baselineMs, mimeBytes } = await runBaseline();
const afterBaseline = await sinkCount(sink);

// Edgepost: the campaign from queued to sent.
const cpuBefore = process.cpuUsage();
const started = performance.now();
await t.db.update(campaigns).set({ status: 'queued' }).where(eq(campaigns.id, campaign.id));
const sender = await startTestSender(t.db, config);
// The sink's count and our CPU every 250 ms: the rate and the cost once the pipeline runs,
// without its start (the sender's boot, the claim, the fan-out, code not yet optimised by
// V8) or its last stragglers.
const samples: Sample[] = [];
const sampling = setInterval(() => {
  const cpu = process.cpuUsage(cpuBefore);
  void sinkCount(sink).then(({ count }) => samples.push({ ms: performance.now(), count: count - afterBaseline.count, cpuMs: (cpu.user + cpu.system) / 1000 }));
}, 250);
await campaignReaches(t.db, campaign.id, 'sent', 600_000);
clearInterval(sampling);
const pipelineMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const afterPipeline = await sinkCount(sink);
await sender.close();
await dropQueue(config);
sink.send('stop');
t.close();

const rate = (ms: number) => Math.round((total / ms) * 1000);
interface Sample {
  ms: number;
  count: number;
  cpuMs: number;
}
/** Messages per second, and CPU per message, between the samples that bracket 20% and 80% of the messages. */
function steady(points: Sample[], messages: number): { perSecond: number; cpuMsPerMessage: number } | null {
  const first = points.find((p) => p.count >= messages * 0.2);
  const last = points.findLast((p) => p.count <= messages * 0.8);
  if (!first || !last || last.ms <= first.ms) return null;
  const sent = last.count - first.count;
  return { perSecond: Math.round((sent / (last.ms - first.ms)) * 1000), cpuMsPerMessage: +((last.cpuMs - first.cpuMs) / sent).toFixed(3) };
}
const steadyState = steady(samples, total);
console.log(JSON.stringify({
  messages: total,
  dkim: dkimKind ?? 'off',
  mimeKb: Math.round(mimeBytes / 1024),
  nodemailerPool: baselineMs ? { ms: Math.round(baselineMs), perSecond: rate(baselineMs), connections: POOL } : null,
  edgepost: {
    ms: Math.round(pipelineMs),
    perSecond: rate(pipelineMs),
    steadyPerSecond: steadyState?.perSecond ?? null,
    cpuMsPerMessage: +((cpu.user + cpu.system) / 1000 / total).toFixed(3),
    steadyCpuMsPerMessage: steadyState?.cpuMsPerMessage ?? null,
    newSmtpConnections: afterPipeline.connections - afterBaseline.connections,
    sinkCpuMsPerMessage: +((afterPipeline.cpuMs - afterBaseline.cpuMs) / total).toFixed(3),
    delivered: afterPipeline.count - afterBaseline.count,
  },
  ratio: baselineMs ? +(baselineMs / pipelineMs).toFixed(2) : null,
}, null, 2));
process.exit(0);
