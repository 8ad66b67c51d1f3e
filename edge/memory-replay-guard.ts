// A replay guard for one process (the Node host, or tests): single-use values are remembered
// until they expire, then forgotten, so memory stays bounded by what can still be replayed.
import type { ReplayGuard } from '../shared/webhooks/relay-webhook';

export function createMemoryReplayGuard(now: () => number = Date.now): ReplayGuard {
  const claims = new Map<string, { expiresAt: number; bodySha256: string }>();
  let nextSweep = 0;

  function sweep(at: number): void {
    if (at < nextSweep) return;
    for (const [key, { expiresAt }] of claims) if (expiresAt <= at) claims.delete(key);
    nextSweep = at + 10_000;
  }

  return {
    async claim(key, expiresAt, bodySha256) {
      const at = now();
      sweep(at);
      const known = claims.get(key);
      if (known !== undefined && known.expiresAt > at) return known.bodySha256 === bodySha256;
      claims.set(key, { expiresAt, bodySha256 });
      return true;
    },
  };
}
