// Addresses typed one per line: blank lines skipped, each kept with its line number.
import { describe, expect, it } from 'vitest';
import { addressLines } from './add-suppressions-form';

describe('addressLines', () => {
  it('trims and lower-cases each address and numbers the lines as typed', () => {
    expect(addressLines(' Ann@Example.com \n\n\tbob@example.com\n')).toEqual([
      { line: 1, email: 'ann@example.com' },
      { line: 3, email: 'bob@example.com' },
    ]);
  });
});
