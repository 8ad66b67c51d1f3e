// Which character separates the fields. Excel writes commas in most locales but semicolons
// where the comma is the decimal mark (France, Germany...), and tabs for "Unicode Text".

export const csvDelimiters = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof csvDelimiters)[number];

/**
 * The delimiter that appears most often in the header line, outside quotes (a tie goes to
 * the earlier of comma, semicolon, tab; a one-column file is read as comma-separated).
 */
export function sniffDelimiter(text: string): CsvDelimiter {
  const counts = new Map<string, number>(csvDelimiters.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best: CsvDelimiter = ',';
  for (const d of csvDelimiters) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}
