// `npm run bench`: every benchmark, one after another, each in its own process so one's
// garbage and JIT state do not colour the next. Arguments pass through to each.
import { spawnSync } from 'node:child_process';

const benchmarks = ['render-message.ts', 'build-mime.ts', 'dkim-sign.ts', 'send-pipeline.ts', 'relay-latency.ts', 'throttle.ts', 'event-ingest.ts', 'webhook-ingest.ts', 'import.ts', 'classify-hit.ts', 'rows-written.ts', 'campaign-stats.ts'];

for (const file of benchmarks) {
  console.log(`\n== bench/${file}`);
  // The sender's own V8 setting (sender/Dockerfile), since send-pipeline and relay-latency run a sender in-process.
  const run = spawnSync(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', new URL(`./${file}`, import.meta.url).pathname], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
