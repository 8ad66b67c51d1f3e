import { describe, expect, it } from 'vitest';
import { attributeColumnName, attributeKeyOf, checkMapping, planColumns, suggestMapping } from './column-mapping';

describe('suggestMapping', () => {
  it('finds the email and name columns and makes the rest attributes', () => {
    expect(suggestMapping(['E-mail', 'Name', 'Date of birth', 'Ville d’été', '#'])).toEqual({
      'E-mail': 'email',
      Name: 'name',
      'Date of birth': 'attributes.date_of_birth',
      'Ville d’été': 'attributes.ville_d_ete',
      '#': 'attributes.column_5',
    });
  });

  it('joins first and last name into the name, and maps only the first email-like column to email', () => {
    expect(suggestMapping(['First Name', 'Last Name', 'Mail', 'Email Address'])).toEqual({
      'First Name': 'name',
      'Last Name': 'name',
      Mail: 'email',
      'Email Address': 'attributes.email_address',
    });
  });

  it("reads Edgepost's own export back: attributes.<key> columns, and no import of status or dates", () => {
    expect(suggestMapping(['email', 'name', 'status', 'list_status', 'created_at', 'city', 'attributes.email'])).toEqual({
      email: 'email',
      name: 'name',
      status: 'ignore',
      list_status: 'ignore',
      created_at: 'ignore',
      city: 'attributes.city',
      'attributes.email': 'attributes.email',
    });
  });

  it('never gives two columns one attribute', () => {
    expect(suggestMapping(['email', 'City', 'city'])).toEqual({ email: 'email', City: 'attributes.city', city: 'attributes.city_2' });
  });
});

describe('checkMapping', () => {
  const columns = ['Email', 'First', 'Last', 'City'];

  it('accepts a good mapping', () => {
    expect(checkMapping(columns, { Email: 'email', First: 'name', Last: 'name', City: 'attributes.city' })).toEqual([]);
  });

  it('names every problem at once', () => {
    expect(checkMapping(columns, { Emial: 'email', First: 'nickname', Last: 'attributes.my city', City: 'attributes.city', Email: 'attributes.city' })).toEqual([
      { path: 'mapping.Emial', message: 'the file has no column "Emial"; its columns are "Email", "First", "Last", "City"' },
      { path: 'mapping.First', message: '"nickname" is not a target: use email, name, attributes.<key> or ignore' },
      { path: 'mapping.Last', message: '"attributes.my city": an attribute key is 1-64 letters, digits or underscores (e.g. attributes.date_of_birth)' },
      { path: 'mapping.Email', message: 'attributes.city is already mapped from column "City"; map it from one column' },
    ]);
  });

  it('needs exactly one email column', () => {
    expect(checkMapping(columns, { City: 'attributes.city' })).toEqual([{ path: 'mapping', message: 'map one column to email, e.g. {"Email": "email"}' }]);
    expect(checkMapping(columns, { Email: 'email', City: 'email' })).toEqual([{ path: 'mapping', message: 'only one column can be the email; "Email" and "City" both are' }]);
  });
});

describe('planColumns', () => {
  it('turns a mapping into column positions, ignoring the rest', () => {
    expect(planColumns(['Last', 'Email', 'x', 'First', 'constructor'], { Email: 'email', First: 'name', Last: 'name', x: 'ignore', constructor: 'attributes.c' })).toEqual({
      email: 1,
      name: [0, 3],
      attributes: [{ index: 4, key: 'c' }],
      width: 5,
    });
    // Names of Object.prototype's properties are columns like any other.
    expect(planColumns(['Email', 'toString'], { Email: 'email' }).attributes).toEqual([]);
  });
});

describe('attribute keys and export columns', () => {
  it('normalises a column name into a key', () => {
    expect(attributeKeyOf('  Código Postal!! ')).toBe('codigo_postal');
    expect(attributeKeyOf('日本')).toBe('');
  });

  it('exports an attribute as its bare key only when an import would map it back to itself', () => {
    expect(attributeColumnName('city')).toBe('city');
    expect(attributeColumnName('email')).toBe('attributes.email');
    expect(attributeColumnName('status')).toBe('attributes.status');
    expect(attributeColumnName('City')).toBe('attributes.City');
    expect(suggestMapping(['attributes.City'])).toEqual({ 'attributes.City': 'attributes.City' });
  });
});
