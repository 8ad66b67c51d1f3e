// The Worker's hit recorder gathering hits into sendBatch calls. The queue here is an
// in-memory stand-in that keeps what it is given; the real local queue and its consumer run
// in test/workerd.test.ts.
import { describe, expect, it } from 'vitest';
import type { EventMessage } from './event-message';
import { createQueueHitRecorder } from './queue-recorders';

function memoryQueue(failures = 0) {
  const calls: EventMessage[][] = [];
  const tried: EventMessage[][] = [];
  let failing = failures;
  const queue = {
    async send() {
      throw new Error('hits go in batches');
    },
    async sendBatch(messages: Iterable<MessageSendRequest<EventMessage>>) {
      const bodies = [...messages].map((m) => m.body);
      tried.push(bodies);
      if (failing-- > 0) throw new Error('queue unavailable');
      calls.push(bodies);
    },
  } as unknown as Queue<EventMessage>;
  return { queue, calls, tried };
}

const hit = (messageId: number) => ({ kind: 'open' as const, messageId, at: 1, method: 'GET' });
/** The hits in each message of one sendBatch call. */
const hitCounts = (call: EventMessage[]) => call.map((m) => (m.kind === 'hits' ? m.hits.length : 0));

describe('queue hit recorder', () => {
  it('gathers concurrent hits into one sendBatch, sent by the request that started it', async () => {
    const { queue, calls } = memoryQueue();
    const recorder = createQueueHitRecorder(queue, { maxDelayMs: 20 });
    const first = recorder.record(hit(1));
    const others = [2, 3, 4].map((id) => recorder.record(hit(id)));
    // The joiners return at once: none of them waits on a promise the first request resolves.
    await Promise.all(others);
    expect(calls).toEqual([]);
    await first;
    // One sendBatch of one message that packs the four hits, each with its own key.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((m) => m.kind)).toEqual(['hits']);
    const [packed] = calls[0]!;
    if (packed?.kind !== 'hits') throw new Error('not packed hits');
    expect(packed.hits.map((h) => h.messageId)).toEqual([1, 2, 3, 4]);
    expect(new Set(packed.hits.map((h) => h.key)).size).toBe(4);
  });

  it('sends a full message of 100 hits at once from the request that filled it, and starts a new one after', async () => {
    const { queue, calls } = memoryQueue();
    const recorder = createQueueHitRecorder(queue, { maxDelayMs: 1000 });
    const started = recorder.record(hit(1));
    const joined = Array.from({ length: 99 }, (_, i) => recorder.record(hit(i + 2)));
    await Promise.all(joined);
    expect(calls.map(hitCounts)).toEqual([[100]]);
    const next = recorder.record(hit(101));
    await started;
    expect(calls.map(hitCounts)).toEqual([[100]]);
    await next;
    expect(calls.map(hitCounts)).toEqual([[100], [1]]);
  });

  it('retries a refused sendBatch with the same keys, and logs a batch it gives up on without throwing', async () => {
    const flaky = memoryQueue(1);
    await createQueueHitRecorder(flaky.queue, { maxDelayMs: 1 }).record(hit(1));
    expect(flaky.calls).toHaveLength(1);
    expect(flaky.tried).toHaveLength(2);
    expect(flaky.tried[0]).toEqual(flaky.tried[1]);

    const down = memoryQueue(10);
    const logs: string[] = [];
    await expect(createQueueHitRecorder(down.queue, { maxDelayMs: 1, retries: 1, log: (m) => logs.push(m) }).record(hit(1))).resolves.toBeUndefined();
    expect(down.calls).toEqual([]);
    expect(logs).toEqual(['hit recorder: lost 1 tracking hit(s), the event queue did not take them after 2 attempt(s): Error: queue unavailable']);
  });

  it('logs a hit too big for a message as lost, saying why without its URL, and sends the others', async () => {
    const { queue, calls } = memoryQueue();
    const logs: string[] = [];
    const recorder = createQueueHitRecorder(queue, { maxDelayMs: 5, log: (m) => logs.push(m) });
    const huge = { kind: 'click' as const, messageId: 2, url: `https://shop.example/${'x'.repeat(70_000)}`, at: 1, method: 'GET' };
    await Promise.all([recorder.record(hit(1)), recorder.record(huge), recorder.record(hit(3))]);
    expect(calls.map(hitCounts)).toEqual([[2]]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^hit recorder: lost 1 tracking hit: RangeError: A tracking hit is \d+ bytes as a queue message, over the 65536-byte limit/);
    expect(logs[0]).not.toContain('xxx');
  });
});
