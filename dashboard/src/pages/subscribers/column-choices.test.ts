// The mapping step's model, and that its checks agree with the API's (shared/csv/column-mapping.ts)
// on which mappings can start an import.
import { describe, expect, it } from 'vitest';
import { checkMapping } from '../../../../shared/csv/column-mapping';
import { choicesFrom, mappingOf, mappingProblems, type ColumnChoice } from './column-choices';
import type { ImportPreview } from './import-upload';

const preview: ImportPreview = {
  fileName: 'people.csv',
  encoding: 'utf-8',
  delimiter: ',',
  columns: ['Contact', 'First name', 'Last name', 'City', 'status'],
  rows: [['ada@example.com', 'Ada', 'Lovelace', 'London', 'active']],
  suggestedMapping: { Contact: 'attributes.contact', 'First name': 'name', 'Last name': 'name', City: 'attributes.city', status: 'ignore' },
};

describe('column choices', () => {
  it('start from the suggestion and give back the mapping the API takes', () => {
    const choices = choicesFrom(preview);
    expect(choices.map((c) => [c.column, c.target, c.key])).toEqual([
      ['Contact', 'attribute', 'contact'],
      ['First name', 'name', ''],
      ['Last name', 'name', ''],
      ['City', 'attribute', 'city'],
      ['status', 'ignore', ''],
    ]);
    expect(mappingOf(choices)).toEqual(preview.suggestedMapping);
  });

  it('name every problem: no email, two emails, a bad or repeated attribute name', () => {
    const choices = choicesFrom(preview);
    expect(mappingProblems(choices)).toEqual({ overall: expect.stringMatching(/^Choose the column that holds the email addresses/), byColumn: {} });
    const set = (column: string, change: Partial<ColumnChoice>) => choices.map((c) => (c.column === column ? { ...c, ...change } : c));
    const twoEmails = set('Contact', { target: 'email' }).map((c) => (c.column === 'City' ? { ...c, target: 'email' as const } : c));
    expect(mappingProblems(twoEmails).overall).toBe('Only one column can be the email address; "Contact" and "City" both are.');
    const badKeys = set('Contact', { key: 'city' }).map((c) => (c.column === 'status' ? { ...c, target: 'attribute' as const, key: 'my status' } : c));
    expect(mappingProblems(badKeys).byColumn).toEqual({
      City: 'Column "Contact" already fills city; choose another name',
      status: expect.stringMatching(/^An attribute name is 1-64 letters/),
    });
  });

  it('accept exactly the mappings the API accepts', () => {
    const base = choicesFrom(preview);
    const variants: ColumnChoice[][] = [
      base,
      base.map((c) => (c.column === 'Contact' ? { ...c, target: 'email' } : c)),
      base.map((c) => (c.column === 'Contact' ? { ...c, target: 'email' } : c.column === 'City' ? { ...c, key: 'x'.repeat(65) } : c)),
      base.map((c) => (c.target === 'attribute' ? { ...c, key: 'same' } : c.column === 'status' ? { ...c, target: 'email' } : c)),
      base.map((c) => ({ ...c, target: 'email' })),
    ];
    for (const choices of variants) {
      const problems = mappingProblems(choices);
      const clientAccepts = problems.overall === null && Object.keys(problems.byColumn).length === 0;
      expect(clientAccepts).toBe(checkMapping(preview.columns, mappingOf(choices)).length === 0);
    }
  });
});
