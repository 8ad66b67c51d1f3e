// Where sign-in may send the user afterwards: paths of this app only, never another host,
// whichever way a browser would read the path.
import { describe, expect, it } from 'vitest';
import { isAppPath } from './session-gate';

describe('isAppPath', () => {
  it.each(['/lists', '/campaigns/12/edit?tab=body', '/subscribers?list=3#x'])('takes %s', (path) => {
    expect(isAppPath(path)).toBe(true);
  });
  it.each(['//evil.example', 'https://evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', 'lists', ''])('refuses %j', (path) => {
    expect(isAppPath(path)).toBe(false);
  });
});
