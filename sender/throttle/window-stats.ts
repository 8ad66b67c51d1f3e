// Measures a throttle's output: the most sends in any window, and how much of a rate a
// backlog used. Shared by the tests and bench/throttle.ts.

/** The most events in any window of `windowUs` (sliding, half-open), from times in µs. */
export function maxInWindow(timesUs: number[], windowUs: number): number {
  const t = [...timesUs].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j]! < t[i]! + windowUs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

/** Events in [fromUs, fromUs + spanUs) as a share of what `perSecond` allows in that span. */
export function shareUsed(timesUs: number[], perSecond: number, fromUs: number, spanUs: number): number {
  const inSpan = timesUs.filter((t) => t >= fromUs && t < fromUs + spanUs).length;
  return inSpan / ((perSecond * spanUs) / 1_000_000);
}
