// Groups calls made close together into one call of `run`: with 50 jobs in flight, the
// worker reads and writes the database once per batch instead of once per message (each
// call is a libSQL round trip and, for writes, a transaction and its commit). Jobs reach
// the same step a few at a time rather than all in one event-loop turn, so a batch may
// wait up to `lingerMs` for company: a few milliseconds more per job, far fewer commits.

export interface BatchOptions {
  /** Most inputs in one call of `run`. Default 200. */
  maxBatch?: number;
  /** How long the first call of a batch waits for others; 0: only until the event loop has run what it holds. Default 0. */
  lingerMs?: number;
}

/** Returns a function that queues its argument and resolves with its own result from `run`. */
export function batchCalls<In, Out>(run: (inputs: In[]) => Promise<Out[]>, { maxBatch = 200, lingerMs = 0 }: BatchOptions = {}): (input: In) => Promise<Out> {
  let pending: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  let scheduled = false;
  let lingering: ReturnType<typeof setTimeout> | undefined;

  function schedule(): void {
    scheduled = true;
    if (lingerMs === 0 || pending.length >= maxBatch) setImmediate(flush);
    else lingering = setTimeout(flush, lingerMs);
  }

  function flush(): void {
    scheduled = false;
    lingering = undefined;
    const batch = pending.slice(0, maxBatch);
    pending = pending.slice(maxBatch);
    if (pending.length > 0) schedule();
    run(batch.map((p) => p.input)).then(
      (outputs) => batch.forEach((p, i) => p.resolve(outputs[i]!)),
      (err) => batch.forEach((p) => p.reject(err)),
    );
  }

  return function batched(input) {
    return new Promise<Out>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      if (!scheduled) schedule();
      else if (lingering && pending.length >= maxBatch) {
        // A full batch has nothing left to wait for.
        clearTimeout(lingering);
        lingering = undefined;
        setImmediate(flush);
      }
    });
  };
}
