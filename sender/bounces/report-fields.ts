// The "Name: value" blocks of machine-readable report parts (RFC 3464 message/delivery-status,
// RFC 5965 message/feedback-report): header syntax, folded lines, blocks split by blank lines.

/** One block of fields, by lower-case name; a name given twice keeps both values in order. */
export type ReportFields = Map<string, string[]>;

/** Splits a report part into its blocks of fields (the first block is the per-message one in a DSN). */
export function parseReportFields(text: string): ReportFields[] {
  const blocks: ReportFields[] = [];
  let current: ReportFields | undefined;
  let last: { name: string; index: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      current = undefined;
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && current && last) {
      const values = current.get(last.name)!;
      values[last.index] = `${values[last.index]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    if (!current) blocks.push((current = new Map()));
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = current.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    current.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return blocks;
}

/** The first value of a field, if present and not empty. */
export function field(block: ReportFields, name: string): string | undefined {
  return block.get(name)?.find((value) => value !== '');
}

/** An address field such as `rfc822; Ann@Example.com` or `<ann@example.com>`, as a bare lower-case address. */
export function addressValue(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const bare = value.replace(/^[\w-]+\s*;\s*/, '').trim().replace(/^<|>$/g, '').trim();
  return bare.includes('@') ? bare.toLowerCase() : undefined;
}
