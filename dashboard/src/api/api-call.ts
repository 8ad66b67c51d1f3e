// Unwrapping openapi-fetch results for mutations and queries: the data, or an error whose
// message is the API's own (what to fix), so every screen shows the same words and a thrown
// ApiCallError is told apart from a network failure (fetch's TypeError: "could not be reached").
import { errorMessage } from './api-error';

/** A failed API call; `message` is the API's message, `body` its error body. */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly body: unknown,
    readonly response: Response,
  ) {
    super(message);
  }
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Throws the API's error body as an ApiCallError. */
export function callFailed(error: unknown, response: Response): never {
  throw new ApiCallError(errorMessage(error, response), error, response);
}

/** The call's data, or throws an ApiCallError with the API's message. */
export function dataOf<T>(result: FetchResult<T>): T {
  if (!result.response.ok || result.data === undefined) callFailed(result.error, result.response);
  return result.data;
}

/** Throws an ApiCallError unless the call succeeded (for answers without a body, e.g. 204). */
export function ensureOk(result: FetchResult<unknown>): void {
  if (!result.response.ok) callFailed(result.error, result.response);
}

/** The message to show for anything a call threw. */
export function messageOf(err: unknown): string {
  return err instanceof ApiCallError ? err.message : errorMessage(err);
}
