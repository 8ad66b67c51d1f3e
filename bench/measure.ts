// µs per call, wall clock and CPU, after a warm-up: the one timing loop the micro-benchmarks share.

export interface PerCall {
  wallUs: number;
  cpuUs: number;
}

/** Times `count` calls of `run`. A synchronous `run` is timed without any await in the loop. */
export async function measure(count: number, run: (i: number) => unknown): Promise<PerCall> {
  const isAsync = run(0) instanceof Promise;
  const loop = isAsync
    ? async (n: number) => {
        for (let i = 0; i < n; i++) await run(i);
      }
    : (n: number) => {
        for (let i = 0; i < n; i++) run(i);
      };
  await loop(Math.min(200, count));
  const cpu = process.cpuUsage();
  const start = performance.now();
  await loop(count);
  const wallUs = ((performance.now() - start) * 1000) / count;
  const used = process.cpuUsage(cpu);
  return { wallUs: +wallUs.toFixed(1), cpuUs: +((used.user + used.system) / count).toFixed(1) };
}
