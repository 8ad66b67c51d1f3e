// libSQL reports a UNIQUE failure as SQLITE_CONSTRAINT(_UNIQUE) somewhere in the cause
// chain (drizzle wraps it; a batch wraps it differently), with the column in the message.

/** True when `err` is a UNIQUE constraint failure on `column` (e.g. `subscribers.email`). */
export function isUniqueViolation(err: unknown, column: string): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message.includes(`UNIQUE constraint failed: ${column}`)) return true;
  }
  return false;
}
