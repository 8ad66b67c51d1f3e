// What a Worker builds from `env` on the first request or batch of an isolate and keeps for
// the isolate's life (env does not change within one). Shared by both Worker entries.

/**
 * Returns a getter that builds once and then hands back the same value. A failed build is
 * logged, rethrown and not kept, so a fixed secret takes effect on the next request.
 * `worker` names the Worker in the log line.
 */
export function isolateOnce<E, T>(worker: string, build: (env: E) => Promise<T>): (env: E) => Promise<T> {
  let built: Promise<T> | undefined;
  return async (env) => {
    try {
      return await (built ??= build(env));
    } catch (err) {
      built = undefined;
      // parseConfig's message names each variable and what is wrong with it, never a value.
      console.error(`${worker} cannot start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  };
}
