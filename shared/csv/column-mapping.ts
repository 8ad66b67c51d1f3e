// The mapping step of an import: which CSV column feeds which subscriber field. A mapping
// is `{ "<column name>": "<target>" }`, a target being `email` (exactly one column),
// `name` (one column, or several joined with spaces in file order, e.g. first and last
// name), `attributes.<key>`, or `ignore`; a column the mapping leaves out is ignored.

export const IGNORE = 'ignore';
const ATTRIBUTE_PREFIX = 'attributes.';
const ATTRIBUTE_KEY = /^[A-Za-z0-9_]{1,64}$/;
const MAX_ATTRIBUTE_KEY = 64;

export type ColumnMapping = Record<string, string>;

export interface MappingProblem {
  /** `mapping` or `mapping.<column>`. */
  path: string;
  message: string;
}

/** Lower case, letters and digits only: how header names are compared. */
function squash(column: string): string {
  return column.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const EMAIL_HEADERS = new Set(['email', 'mail', 'emailaddress', 'mailaddress']);
const NAME_HEADERS = new Set(['name', 'fullname', 'displayname']);
const FIRST_NAME_HEADERS = new Set(['firstname', 'givenname', 'forename']);
const LAST_NAME_HEADERS = new Set(['lastname', 'surname', 'familyname']);
// Columns of Edgepost's own export that an import cannot set.
const EXPORT_ONLY_HEADERS = new Set(['status', 'liststatus', 'createdat']);

/**
 * A column name as an attribute key: accents dropped, lower case, runs of other characters
 * as `_` (`Date of birth` → `date_of_birth`), so templates can say `subscriber.attributes.date_of_birth`.
 */
export function attributeKeyOf(column: string): string {
  return column
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_ATTRIBUTE_KEY);
}

function suggestAttribute(column: string, index: number, taken: Set<string>): string {
  const given = column.startsWith(ATTRIBUTE_PREFIX) ? column.slice(ATTRIBUTE_PREFIX.length) : '';
  let key = ATTRIBUTE_KEY.test(given) ? given : attributeKeyOf(column) || `column_${index + 1}`;
  for (let n = 2; taken.has(key); n++) key = `${key.slice(0, MAX_ATTRIBUTE_KEY - 4)}_${n}`;
  taken.add(key);
  return `${ATTRIBUTE_PREFIX}${key}`;
}

/** A first guess at the mapping for the dashboard to show; every column gets a target. */
export function suggestMapping(columns: readonly string[]): ColumnMapping {
  const squashed = columns.map(squash);
  const email = squashed.findIndex((c) => EMAIL_HEADERS.has(c));
  const name = squashed.findIndex((c) => NAME_HEADERS.has(c));
  const first = squashed.findIndex((c) => FIRST_NAME_HEADERS.has(c));
  const last = squashed.findIndex((c) => LAST_NAME_HEADERS.has(c));
  const nameParts = name >= 0 ? [name] : [first, last].filter((i) => i >= 0);
  const taken = new Set<string>();
  return Object.fromEntries(
    columns.map((column, i) => {
      if (i === email) return [column, 'email'];
      if (nameParts.includes(i)) return [column, 'name'];
      if (EXPORT_ONLY_HEADERS.has(squashed[i]!)) return [column, IGNORE];
      return [column, suggestAttribute(column, i, taken)];
    }),
  );
}

function targetProblem(target: string): string | null {
  if (target === 'email' || target === 'name' || target === IGNORE) return null;
  if (!target.startsWith(ATTRIBUTE_PREFIX)) return `"${target}" is not a target: use email, name, attributes.<key> or ignore`;
  if (!ATTRIBUTE_KEY.test(target.slice(ATTRIBUTE_PREFIX.length))) {
    return `"${target}": an attribute key is 1-64 letters, digits or underscores (e.g. attributes.date_of_birth)`;
  }
  return null;
}

function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 20).map((c) => `"${c}"`).join(', ');
  return columns.length > 20 ? `${shown}...` : shown;
}

/** Everything wrong with a mapping for a file with these columns, at once. */
export function checkMapping(columns: readonly string[], mapping: ColumnMapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const known = new Set(columns);
  const emails: string[] = [];
  const attributeColumns = new Map<string, string>();
  for (const [column, target] of Object.entries(mapping)) {
    const path = `mapping.${column}`;
    if (!known.has(column)) problems.push({ path, message: `the file has no column "${column}"; its columns are ${listColumns(columns)}` });
    const problem = targetProblem(target);
    if (problem) problems.push({ path, message: problem });
    if (target === 'email') emails.push(column);
    if (target.startsWith(ATTRIBUTE_PREFIX)) {
      const other = attributeColumns.get(target);
      if (other !== undefined) problems.push({ path, message: `${target} is already mapped from column "${other}"; map it from one column` });
      else attributeColumns.set(target, column);
    }
  }
  if (emails.length === 0) problems.push({ path: 'mapping', message: 'map one column to email, e.g. {"Email": "email"}' });
  if (emails.length > 1) problems.push({ path: 'mapping', message: `only one column can be the email; ${emails.map((c) => `"${c}"`).join(' and ')} both are` });
  return problems;
}

/** Where each field comes from, as column positions, for a mapping that checkMapping accepted. */
export interface ColumnPlan {
  email: number;
  /** Joined with spaces, in file order. */
  name: number[];
  attributes: { index: number; key: string }[];
  /** How many columns the header has. */
  width: number;
}

export function planColumns(columns: readonly string[], mapping: ColumnMapping): ColumnPlan {
  const plan: ColumnPlan = { email: -1, name: [], attributes: [], width: columns.length };
  columns.forEach((column, index) => {
    const target = Object.hasOwn(mapping, column) ? mapping[column] : undefined;
    if (target === 'email') plan.email = index;
    else if (target === 'name') plan.name.push(index);
    else if (target?.startsWith(ATTRIBUTE_PREFIX)) plan.attributes.push({ index, key: target.slice(ATTRIBUTE_PREFIX.length) });
  });
  return plan;
}

/**
 * The export's column for an attribute: the bare key when an import would map it back to
 * that same attribute (`city`), otherwise `attributes.<key>` (a key named `email`, or one
 * an import would rename).
 */
export function attributeColumnName(key: string): string {
  return suggestMapping([key])[key] === `${ATTRIBUTE_PREFIX}${key}` ? key : `${ATTRIBUTE_PREFIX}${key}`;
}
