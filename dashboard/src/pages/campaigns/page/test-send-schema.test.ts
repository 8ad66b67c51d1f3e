// The test-send form's rules: what the API would refuse is refused as the user types.
import { describe, expect, it } from 'vitest';
import { parseAddresses, testSendSchema } from './test-send-schema';

const messageFor = (addresses: string) => testSendSchema.safeParse({ addresses }).error?.issues[0]?.message;

describe('test-send addresses', () => {
  it('splits on commas, semicolons, spaces and lines, and lower-cases', () => {
    expect(parseAddresses(' Ann@Example.com, bob@example.org;\ncy@example.net  \n\n')).toEqual(['ann@example.com', 'bob@example.org', 'cy@example.net']);
  });

  it('accepts one to ten distinct addresses', () => {
    expect(messageFor('ann@example.com')).toBeUndefined();
    const ten = Array.from({ length: 10 }, (_, i) => `p${i}@example.com`).join('\n');
    expect(messageFor(ten)).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(messageFor('  ')).toBe('Enter at least one address');
    expect(messageFor(Array.from({ length: 11 }, (_, i) => `p${i}@example.com`).join(','))).toBe('Use at most 10 addresses (there are 11)');
    expect(messageFor('ann@example.com, bob@')).toBe('“bob@” is not an address like name@example.com');
    expect(messageFor('ann@example.com, ANN@example.com')).toBe('“ann@example.com” is listed twice');
  });
});
