// A replay guard for one process (the Node host, or tests): single-use values are remembered
// until they expire, then forgotten, so memory stays bounded by what can still be replayed.
import type { ReplayGuard } from '../shared/webhooks/relay-webhook';

export function createMemoryReplayGuard(now: () => number = Date.now): ReplayGuard {
  const expiries = new Map<string, number>();
  let nextSweep = 0;

  function sweep(at: number): void {
    if (at < nextSweep) return;
    for (const [key, expiresAt] of expiries) if (expiresAt <= at) expiries.delete(key);
    nextSweep = at + 10_000;
  }

  return {
    async claim(key, expiresAt) {
      const at = now();
      sweep(at);
      const known = expiries.get(key);
      if (known !== undefined && known > at) return false;
      expiries.set(key, expiresAt);
      return true;
    },
    async release(key) {
      expiries.delete(key);
    },
  };
}
