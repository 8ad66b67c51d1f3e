// Bounds costly work that anyone can ask for. A sign-in costs a slow password hash (about
// 0.4 s of CPU): unbounded, a flood of guesses would stall the edge for everyone, and guesses
// sent in parallel would all pass the lockout check before the first failure was counted.
// Through a gate, at most `concurrent` run at once, `queued` more wait, and the rest are
// refused at once.

export interface WorkGate {
  /** Runs `work` when a slot is free; null, without running it, when the queue is full. */
  run<T>(work: () => Promise<T>): Promise<T | null>;
}

export function createWorkGate(concurrent: number, queued: number): WorkGate {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(work) {
      if (running < concurrent) running++;
      else if (waiting.length < queued) await new Promise<void>((resume) => waiting.push(resume));
      else return null;
      try {
        return await work();
      } finally {
        // The slot passes to the next in line, or is freed.
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
  };
}
