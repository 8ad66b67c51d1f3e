import { describe, expect, it } from 'vitest';
import { edgeConfigSchema, parseConfig } from './config';
import { parseSecretKeys } from './secret-key-config';

const key = (c: string) => c.repeat(32);

describe('parseSecretKeys (the tracking Worker\'s configuration)', () => {
  it('takes the current key and the retired ones, trimmed, empty entries dropped', () => {
    expect(parseSecretKeys({ SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: ` ${key('b')} ,, ${key('c')},` })).toEqual({ SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: [key('b'), key('c')] });
    expect(parseSecretKeys({ SECRET_KEY: key('a') })).toEqual({ SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: [] });
  });

  it('names every variable to fix in one error, never a value', () => {
    const short = 'short-secret-value';
    let message = '';
    try {
      parseSecretKeys({ SECRET_KEY: short, SECRET_KEY_PREVIOUS: `${key('b')},${short}` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'Invalid configuration:\n  SECRET_KEY: SECRET_KEY must be at least 32 characters (try: openssl rand -base64 32)\n  SECRET_KEY_PREVIOUS: each key in SECRET_KEY_PREVIOUS must be at least 32 characters (separate several with commas)',
    );
    expect(message).not.toContain(short);
    expect(() => parseSecretKeys({})).toThrow(/SECRET_KEY: required/);
    expect(() => parseSecretKeys({ SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: 7 })).toThrow(/SECRET_KEY_PREVIOUS: must be text/);
  });

  it('accepts and refuses exactly what the main Worker\'s configuration does', () => {
    const cases = [
      { SECRET_KEY: key('a') },
      { SECRET_KEY: key('a').slice(1) },
      { SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: `${key('b')}, ${key('c')}` },
      { SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: `${key('b')},x` },
      { SECRET_KEY: key('a'), SECRET_KEY_PREVIOUS: ' , ' },
    ];
    for (const env of cases) {
      const edge = (() => {
        try {
          const { SECRET_KEY, SECRET_KEY_PREVIOUS } = parseConfig(edgeConfigSchema, env);
          return { SECRET_KEY, SECRET_KEY_PREVIOUS };
        } catch {
          return 'refused';
        }
      })();
      const tracking = (() => {
        try {
          return parseSecretKeys(env);
        } catch {
          return 'refused';
        }
      })();
      expect({ env, tracking }).toEqual({ env, tracking: edge });
    }
  });
});
