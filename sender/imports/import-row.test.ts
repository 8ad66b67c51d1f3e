import { describe, expect, it } from 'vitest';
import { planColumns } from '../../shared/csv/column-mapping';
import { readRow } from './import-row';

const plan = planColumns(['Email', 'First', 'Last', 'City', 'Notes'], { Email: 'email', First: 'name', Last: 'name', City: 'attributes.city' });

describe('readRow', () => {
  it('normalises the address, joins the name parts and keeps attribute values as strings', () => {
    expect(readRow(['  Ada@Example.COM ', ' Ada ', 'Lovelace', ' 75001 ', 'ignored'], plan)).toEqual({
      ok: { email: 'ada@example.com', name: 'Ada Lovelace', attributes: { city: '75001' } },
    });
  });

  it('leaves out empty cells and missing trailing cells, and removes the export formula guard', () => {
    expect(readRow(['a@example.com', '', "'=Smith"], plan)).toEqual({ ok: { email: 'a@example.com', name: '=Smith', attributes: {} } });
  });

  it('rejects a row without a valid address, saying what it found', () => {
    expect(readRow(['', 'Ann'], plan)).toEqual({ reason: 'no email address' });
    expect(readRow(['ann at example.com', 'Ann'], plan)).toEqual({ reason: 'email "ann at example.com": email must be an address like name@example.com' });
    expect(readRow([`${'x'.repeat(250)}@example.com`], plan)).toEqual({ reason: expect.stringContaining('email must be at most 254 characters') });
  });

  it('rejects a name or attributes over the API limits', () => {
    expect(readRow(['a@example.com', 'x'.repeat(150), 'y'.repeat(60)], plan)).toEqual({ reason: 'name must be at most 200 characters' });
    expect(readRow(['a@example.com', '', '', 'z'.repeat(17_000)], plan)).toEqual({ reason: expect.stringMatching(/^the attributes are 170\d\d bytes of JSON; at most 16384$/) });
  });

  it('rejects values past the header, but not empty padding', () => {
    expect(readRow(['a@example.com', 'Ann', '', '', '', '', ''], plan)).toMatchObject({ ok: { email: 'a@example.com' } });
    expect(readRow(['a@example.com', 'Ann', 'Lee', 'Lyon', 'x', 'stray'], plan)).toEqual({
      reason: 'the row has 6 fields but the header has 5: check the quoting of this row (a field with a delimiter inside must be in quotes)',
    });
  });
});
