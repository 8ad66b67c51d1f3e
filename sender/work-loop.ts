// A loop that runs one step after another, sleeping when a step found nothing to do, and
// stops cleanly after the step in progress. The dispatcher and the server checker run on it.

export interface WorkLoop {
  start(): void;
  /** Resolves once the step in progress (if any) has finished. */
  stop(): Promise<void>;
}

/** `step` resolves true when it did work (so the next step runs at once). */
export function createWorkLoop(name: string, step: () => Promise<boolean>, idleMs: number): WorkLoop {
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  // Ends the idle pause early, so stop() never waits out a long idle.
  let wake: () => void = () => {};

  async function run(): Promise<void> {
    while (running) {
      let worked = false;
      try {
        worked = await step();
      } catch (err) {
        // The database or Redis hiccuped: log, wait, go on.
        console.error(`${name} step failed:`, (err as Error).message);
      }
      if (!worked && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake();
      await loop;
    },
  };
}
