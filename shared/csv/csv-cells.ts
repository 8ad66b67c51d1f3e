// Writing CSV cells for the export, and undoing its formula guard on import. A cell that
// starts with = + - @ (or a tab or CR) is a formula to Excel and LibreOffice, and a
// subscriber chooses their own name: the export prefixes such cells with an apostrophe
// (OWASP's advice against CSV injection), and the import removes that apostrophe again.

const FORMULA_START = /^[=+\-@\t\r]/;
const GUARDED = /^'[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One cell, guarded against formulas and quoted as RFC 4180 says when it must be. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One comma-separated line, CRLF-terminated (RFC 4180). */
export function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A cell's value as imported: the export's formula guard removed. */
export function unguardCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}
