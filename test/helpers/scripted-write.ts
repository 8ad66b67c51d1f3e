// A batch write for batcher tests: keeps every batch it is given, and can be told to fail
// the next N writes (with a cause that holds a query and an address, which logs must not
// repeat) or to hang until released.
export function scriptedWrite<T>() {
  const batches: T[][] = [];
  let failures = 0;
  let gate: Promise<void> | null = null;
  return {
    batches,
    failNext(n: number) {
      failures = n;
    },
    /** Makes writes wait; call the returned function to let them go. */
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
    write: async (items: T[]) => {
      batches.push(items);
      if (gate) await gate;
      if (failures > 0) {
        failures--;
        throw new Error('write failed', { cause: new Error('SQLITE_BUSY: database is locked\nINSERT INTO events ... ann@example.com') });
      }
    },
  };
}
