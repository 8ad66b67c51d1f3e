import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, unguardCell } from './csv-cells';

describe('CSV cells', () => {
  it('quotes only what needs quotes, as RFC 4180 says', () => {
    expect(csvLine(['ann@example.com', 'Ann', ''])).toBe('ann@example.com,Ann,\r\n');
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', ' padded'])).toBe('"a,b","say ""hi""","two\nlines"," padded"\r\n');
  });

  it('guards cells a spreadsheet would run as formulas, and the import takes the guard off', () => {
    for (const value of ['=HYPERLINK("http://evil.example","x")', '+33 6 12 34 56 78', '-5', '@SUM(A1)', '\tcmd']) {
      const cell = csvCell(value);
      expect(cell.replace(/^"|"$/g, '').replace(/""/g, '"').startsWith("'"), value).toBe(true);
      expect(unguardCell(cell.replace(/^"|"$/g, '').replace(/""/g, '"'))).toBe(value);
    }
    // An apostrophe before anything else is the subscriber's own.
    expect(unguardCell("'tis")).toBe("'tis");
    expect(csvCell("'tis")).toBe("'tis");
  });
});
