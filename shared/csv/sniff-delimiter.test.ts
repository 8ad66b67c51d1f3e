import { describe, expect, it } from 'vitest';
import { sniffDelimiter } from './sniff-delimiter';

describe('sniffDelimiter', () => {
  it('finds the delimiter of the header line', () => {
    expect(sniffDelimiter('email,name,city\n')).toBe(',');
    expect(sniffDelimiter('email;name;city\r\na,b;c;d\r\n')).toBe(';');
    expect(sniffDelimiter('email\tname\n')).toBe('\t');
  });

  it('ignores delimiters inside quotes and after the first line', () => {
    expect(sniffDelimiter('"Name, full";Email\n1,2,3,4,5\n')).toBe(';');
    expect(sniffDelimiter('"a\nb,c,d";e\n')).toBe(';');
  });

  it('reads a one-column file, or a tie, as comma-separated', () => {
    expect(sniffDelimiter('email\nann@example.com\n')).toBe(',');
    expect(sniffDelimiter('a,b;c\n')).toBe(',');
    expect(sniffDelimiter('')).toBe(',');
  });
});
