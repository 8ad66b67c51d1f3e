// The mapping step's model: for each column of the file, what it becomes (shared/csv/
// column-mapping.ts is the API's side of the same rules, checked again when the import starts).
import type { ImportPreview } from './import-upload';

export type Target = 'email' | 'name' | 'attribute' | 'ignore';

export interface ColumnChoice {
  column: string;
  target: Target;
  /** The attribute's key, when target is `attribute`. */
  key: string;
}

const ATTRIBUTE_PREFIX = 'attributes.';
const ATTRIBUTE_KEY = /^[A-Za-z0-9_]{1,64}$/;

/** The API's suggested mapping as choices, in the file's column order. */
export function choicesFrom(preview: ImportPreview): ColumnChoice[] {
  return preview.columns.map((column) => {
    const suggested = preview.suggestedMapping[column] ?? 'ignore';
    if (suggested.startsWith(ATTRIBUTE_PREFIX)) return { column, target: 'attribute', key: suggested.slice(ATTRIBUTE_PREFIX.length) };
    return { column, target: suggested === 'email' || suggested === 'name' ? suggested : 'ignore', key: '' };
  });
}

/** The mapping POST /api/subscribers/import takes. */
export function mappingOf(choices: readonly ColumnChoice[]): Record<string, string> {
  return Object.fromEntries(choices.map((c) => [c.column, c.target === 'attribute' ? `${ATTRIBUTE_PREFIX}${c.key}` : c.target]));
}

export interface MappingProblems {
  /** What concerns the mapping as a whole (no email column, two of them). */
  overall: string | null;
  byColumn: Record<string, string>;
}

/** Everything wrong with the choices, at once. */
export function mappingProblems(choices: readonly ColumnChoice[]): MappingProblems {
  const byColumn: Record<string, string> = {};
  const keys = new Map<string, string>();
  for (const c of choices.filter((c) => c.target === 'attribute')) {
    const other = keys.get(c.key);
    if (!ATTRIBUTE_KEY.test(c.key)) byColumn[c.column] = 'An attribute name is 1-64 letters, digits or underscores, e.g. date_of_birth';
    else if (other !== undefined) byColumn[c.column] = `Column "${other}" already fills ${c.key}; choose another name`;
    else keys.set(c.key, c.column);
  }
  const emails = choices.filter((c) => c.target === 'email').map((c) => `"${c.column}"`);
  const overall =
    emails.length === 0
      ? 'Choose the column that holds the email addresses: every subscriber needs one.'
      : emails.length > 1
        ? `Only one column can be the email address; ${emails.join(' and ')} both are.`
        : null;
  return { overall, byColumn };
}
