// The relay side of bench/webhook-ingest.ts, in its own process so that the Node edge under
// test has its event loop to itself: POSTs every body it is given at once over a pool of
// keep-alive connections and reports, per request, the status and the time from the moment
// it had a connection to the end of the answer (what a relay waits for).
import { Agent, request } from 'node:http';

export interface LoadJob {
  url: string;
  authorization: string;
  bodies: string[];
  connections: number;
}

export interface LoadResult {
  statuses: Record<number, number>;
  /** Milliseconds per request, sorted. */
  latencies: number[];
  /** Milliseconds from the first request to the last answer. */
  wallMs: number;
}

function post(agent: Agent, job: LoadJob, body: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    let start = performance.now();
    const req = request(job.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: job.authorization, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
    });
    req.on('socket', () => (start = performance.now()));
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const started = performance.now();
  const answers = await Promise.all(job.bodies.map((body) => post(agent, job, body)));
  const wallMs = performance.now() - started;
  agent.destroy();
  const statuses: Record<number, number> = {};
  for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  return { statuses, latencies: answers.map((a) => a.ms).sort((a, b) => a - b), wallMs };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!(result, () => process.exit(0)),
    (err) => {
      console.error('webhook load failed:', err);
      process.exit(1);
    },
  );
});
