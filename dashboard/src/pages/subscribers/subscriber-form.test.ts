// The subscriber form's attributes: rows to and from the API's object, and their checks.
import { describe, expect, it } from 'vitest';
import { attributesFromRows, rowsFromAttributes, subscriberSchema } from './subscriber-form';

describe('subscriber form attributes', () => {
  it('edit text as text and everything else as JSON, giving back the same types', () => {
    const attributes = { city: 'Lyon', age: 30, vip: true, tags: ['a', 'b'], note: '42' };
    const rows = rowsFromAttributes(attributes);
    expect(rows).toEqual([
      { key: 'city', value: 'Lyon', json: false },
      { key: 'age', value: '30', json: true },
      { key: 'vip', value: 'true', json: true },
      { key: 'tags', value: '["a","b"]', json: true },
      { key: 'note', value: '42', json: false },
    ]);
    expect(attributesFromRows(rows)).toEqual(attributes);
  });

  it('refuse an unnamed or repeated attribute and a JSON value that is not JSON', () => {
    const result = subscriberSchema.safeParse({
      email: 'ada@example.com',
      name: '',
      status: 'active',
      attributes: [
        { key: 'city', value: 'Lyon', json: false },
        { key: ' city ', value: 'Paris', json: false },
        { key: '', value: 'x', json: false },
        { key: 'age', value: 'thirty', json: true },
      ],
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['attributes.1.key', '"city" is already above; an attribute is given once'],
        ['attributes.2.key', 'Name the attribute'],
        ['attributes.3.value', 'Enter JSON, like 42, true or ["a", "b"]'],
      ]),
    );
  });
});
