// A repeatable random sequence for tests that try many generated inputs: the same seed
// gives the same inputs, so a failure names an input that can be run again.

/** Numbers in [0, 1) from a linear congruential generator (the C library's constants). */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
