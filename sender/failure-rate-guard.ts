// Automatic pause: a campaign whose recent messages fail too often (a bad list, a blocked
// sender, a relay refusing everything) stops itself before it burns the sender's reputation.
// Each container watches the outcomes it sees itself: enough of a sample, and no database
// reads on the hot path.

export interface FailureRateGuardOptions {
  /** Share of failed messages among the last `window` outcomes that pauses the campaign. Default 0.1. */
  threshold?: number;
  /** Outcomes considered, and the fewest needed before judging. Default 200. */
  window?: number;
}

export interface FailureVerdict {
  /** Failed share of the window, 0..1. */
  rate: number;
  failed: number;
  outcomes: number;
  /** The most frequent failure reason in the window. */
  commonReason: string;
}

export interface FailureRateGuard {
  /** Records one final outcome; returns a verdict when the campaign should pause. */
  record(campaignId: number, failureReason: string | null): FailureVerdict | null;
  /** Forgets a campaign (finished, paused, resumed with a fresh start). */
  forget(campaignId: number): void;
}

export function createFailureRateGuard(options: FailureRateGuardOptions = {}): FailureRateGuard {
  const threshold = options.threshold ?? 0.1;
  const window = options.window ?? 200;
  // Per campaign, a ring of the last `window` outcomes: null for a success, else the reason.
  const rings = new Map<number, { outcomes: (string | null)[]; next: number; failed: number }>();

  return {
    record(campaignId, failureReason) {
      let ring = rings.get(campaignId);
      if (!ring) rings.set(campaignId, (ring = { outcomes: [], next: 0, failed: 0 }));
      if (ring.outcomes.length === window) {
        if (ring.outcomes[ring.next] !== null) ring.failed--;
        ring.outcomes[ring.next] = failureReason;
      } else ring.outcomes.push(failureReason);
      ring.next = (ring.next + 1) % window;
      if (failureReason !== null) ring.failed++;
      if (threshold >= 1 || ring.outcomes.length < window || ring.failed / window < threshold) return null;
      return { rate: ring.failed / window, failed: ring.failed, outcomes: window, commonReason: mostCommon(ring.outcomes) };
    },
    forget(campaignId) {
      rings.delete(campaignId);
    },
  };
}

function mostCommon(reasons: (string | null)[]): string {
  const counts = new Map<string, number>();
  for (const reason of reasons) if (reason !== null) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
