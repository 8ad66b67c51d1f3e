// Tests only: the error a promise rejects with, or a test failure naming what it resolved to.
import type { SmtpError } from '../smtp-error';

export async function failureOf(promise: Promise<unknown>): Promise<SmtpError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!('err' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.err as SmtpError;
}
