// A loopback SMTP sink in processes of its own, so that the benchmark's sender and sink do
// not share an event loop. Tells its parent its port, then the count of messages (and its
// own CPU time) on request. SINK_PROCESSES=n runs n sink processes on the one port (Node's
// cluster hands each new connection to the next): one Node process cannot answer 50 busy
// connections without adding milliseconds of its own, where a real relay runs many.
// SINK_DELAY_MS is the relay's wait before each 250; SINK_RTT_MS puts a network round trip
// in front of it instead (every reply reaches the client that much later).
import cluster from 'node:cluster';
import { connect, createServer } from 'node:net';
import { freePort } from '../node/free-port';
import { startSmtpSink } from '../test/helpers/smtp-sink';

interface Tally {
  count: number;
  connections: number;
  cpuMs: number;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

if (cluster.isPrimary) {
  const port = await freePort();
  const workers = Array.from({ length: Number(process.env.SINK_PROCESSES ?? 1) }, () => cluster.fork({ SINK_PORT: String(port) }));
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
  process.send!({ port });
  process.on('message', async (msg: string) => {
    if (msg === 'stop') {
      for (const worker of workers) worker.kill();
      process.exit(0);
    }
    if (msg !== 'count') return;
    const tallies = await Promise.all(
      workers.map((worker) => {
        const reply = new Promise<Tally>((resolve) => worker.once('message', resolve));
        worker.send('count');
        return reply;
      }),
    );
    const sum = (key: keyof Tally) => tallies.reduce((total, tally) => total + tally[key], 0);
    process.send!({ count: sum('count'), connections: sum('connections'), cpuMs: sum('cpuMs') + cpuMs() });
  });
} else {
  const rttMs = Number(process.env.SINK_RTT_MS ?? 0);
  const sink = await startSmtpSink(rttMs > 0 ? {} : { port: Number(process.env.SINK_PORT) });
  if (rttMs > 0) await listenBehindLatency(Number(process.env.SINK_PORT), sink.port, rttMs);
  sink.delayMs = Number(process.env.SINK_DELAY_MS ?? 0);
  // Keep memory flat over long runs: count, do not keep.
  let count = 0;
  sink.received.push = (...items) => {
    count += items.length;
    return count;
  };
  process.send!('listening');
  process.on('message', (msg: string) => {
    if (msg === 'count') process.send!({ count, connections: sink.connections, cpuMs: cpuMs() } satisfies Tally);
  });
}

/** Listens on `port` and relays to the sink, holding every chunk the sink sends back for `rttMs`. */
function listenBehindLatency(port: number, sinkPort: number, rttMs: number): Promise<void> {
  const server = createServer((client) => {
    const sink = connect(sinkPort, '127.0.0.1');
    for (const socket of [client, sink]) {
      socket.setNoDelay(true);
      socket.on('error', () => {});
    }
    client.on('data', (chunk) => sink.write(chunk));
    sink.on('data', (chunk) => setTimeout(() => client.write(chunk), rttMs));
    client.on('close', () => sink.destroy());
    sink.on('close', () => setTimeout(() => client.destroy(), rttMs));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}
