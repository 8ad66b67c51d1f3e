// A loopback SMTP sink in its own process, so that the benchmark's sender and sink do not
// share an event loop. Tells its parent its port, then the count of messages on request.
import { startSmtpSink } from '../test/helpers/smtp-sink';

const sink = await startSmtpSink();
// A relay's latency per message (SINK_DELAY_MS), added before each 250 reply.
sink.delayMs = Number(process.env.SINK_DELAY_MS ?? 0);
// Keep memory flat over long runs: count, do not keep.
const received = sink.received;
let count = 0;
received.push = (...items) => {
  count += items.length;
  return count;
};
process.send!({ port: sink.port });
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
process.on('message', (msg: string) => {
  if (msg === 'count') process.send!({ count, connections: sink.connections, cpuMs: cpuMs() });
  if (msg === 'stop') void sink.close().then(() => process.exit(0));
});
