// Groups the calls made while the event loop is busy into one call of `run`: with 50 jobs
// in flight, the worker reads and writes the database once per batch instead of once per
// message (each libSQL statement costs a prepare and, for writes, a commit).

/** Returns a function that queues its argument and resolves with its own result from `run`. */
export function batchCalls<In, Out>(run: (inputs: In[]) => Promise<Out[]>, maxBatch = 200): (input: In) => Promise<Out> {
  let pending: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];

  function flush(): void {
    const batch = pending.slice(0, maxBatch);
    pending = pending.slice(maxBatch);
    if (pending.length > 0) setImmediate(flush);
    run(batch.map((p) => p.input)).then(
      (outputs) => batch.forEach((p, i) => p.resolve(outputs[i]!)),
      (err) => batch.forEach((p) => p.reject(err)),
    );
  }

  return function batched(input) {
    return new Promise<Out>((resolve, reject) => {
      if (pending.push({ input, resolve, reject }) === 1) setImmediate(flush);
    });
  };
}
