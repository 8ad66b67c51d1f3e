// One row of an import file as a subscriber, or the reason it cannot be one. The address
// and the name follow the API's own rules (shared/subscriber-fields.ts); attribute
// values are kept as the strings the file holds.
import type { ColumnPlan } from '../../shared/csv/column-mapping';
import { unguardCell } from '../../shared/csv/csv-cells';
import { Email, MAX_ATTRIBUTES_BYTES, Name } from '../../shared/subscriber-fields';
import type { ImportRow } from '../../shared/queries/imports';

export type RowResult = { ok: ImportRow } | { reason: string };

/** A value as the file shows it, cut short for a reason the marketer reads. */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function cell(fields: readonly string[], index: number): string {
  return unguardCell((fields[index] ?? '').trim());
}

function extraFieldsProblem(fields: readonly string[], width: number): string | null {
  // Trailing empty cells are how spreadsheets pad rows; a value past the header is not.
  const extra = fields.slice(width).filter((f) => f.trim() !== '').length;
  if (extra === 0) return null;
  return `the row has ${fields.length} fields but the header has ${width}: check the quoting of this row (a field with a delimiter inside must be in quotes)`;
}

/** Reads a non-blank record against the column plan. */
export function readRow(fields: readonly string[], plan: ColumnPlan): RowResult {
  const extra = extraFieldsProblem(fields, plan.width);
  if (extra) return { reason: extra };
  const rawEmail = (fields[plan.email] ?? '').trim();
  if (rawEmail === '') return { reason: 'no email address' };
  const email = Email.safeParse(rawEmail);
  if (!email.success) return { reason: `email ${shown(rawEmail)}: ${email.error.issues[0]!.message}` };
  const name = Name.safeParse(
    plan.name
      .map((i) => cell(fields, i))
      .filter((part) => part !== '')
      .join(' '),
  );
  if (!name.success) return { reason: name.error.issues[0]!.message };
  const attributes: Record<string, string> = {};
  for (const { index, key } of plan.attributes) {
    const value = cell(fields, index);
    if (value !== '') attributes[key] = value;
  }
  const size = JSON.stringify(attributes).length;
  if (size > MAX_ATTRIBUTES_BYTES) return { reason: `the attributes are ${size} bytes of JSON; at most ${MAX_ATTRIBUTES_BYTES}` };
  return { ok: { email: email.data, name: name.data, attributes } };
}
