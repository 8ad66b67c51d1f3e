// The API's error body (`{ error: { code, message, details? } }`, edge/api-error.ts) as the
// forms use it: a 400's details go next to the fields they name, the rest above the form.
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import type { components } from './schema';

type ErrorBody = components['schemas']['Error'];

/** The message to show for a failed call, whatever came back. */
export function errorMessage(error: unknown, response?: Response): string {
  const body = error as Partial<ErrorBody> | undefined;
  if (body?.error?.message) return body.error.message;
  if (response) return `The server answered ${response.status} ${response.statusText}; try again.`;
  return 'The server could not be reached; check your connection and try again.';
}

/**
 * Puts each detail on its field: the one of `fields` named as the API names it, or the one
 * `fields` maps the API's path to (forms whose fields are not named as the API's are).
 * Returns the message for the form as a whole, or null when every detail found its field.
 */
export function applyApiError<T extends FieldValues>(
  error: unknown,
  response: Response,
  fields: readonly Path<T>[] | ((apiPath: string) => Path<T> | null),
  setError: UseFormSetError<T>,
): string | null {
  const details = (error as Partial<ErrorBody> | undefined)?.error?.details ?? [];
  const fieldOf = typeof fields === 'function' ? fields : (path: string) => fields.find((name) => name === path) ?? null;
  let unplaced = details.length === 0;
  for (const detail of details) {
    const field = fieldOf(detail.path);
    if (field) setError(field, { type: 'server', message: detail.message }, { shouldFocus: true });
    else unplaced = true;
  }
  return unplaced ? errorMessage(error, response) : null;
}
