// How the forms show the API's errors: details on their fields, the rest above the form.
import { describe, expect, it } from 'vitest';
import { applyApiError, errorMessage } from './api-error';

type Values = { name: string; optin: string };

function recorder() {
  const set: [string, string | undefined][] = [];
  const setError = ((name: string, error: { message?: string }) => set.push([name, error.message])) as never;
  return { set, setError };
}

const response = new Response(null, { status: 400, statusText: 'Bad Request' });

describe('applyApiError', () => {
  it('puts each detail on the field it names and leaves nothing for the form', () => {
    const { set, setError } = recorder();
    const body = { error: { code: 'VALIDATION', message: 'Invalid request body: name: name must not be empty', details: [{ path: 'name', message: 'name must not be empty' }] } };
    expect(applyApiError<Values>(body, response, ['name', 'optin'], setError)).toBeNull();
    expect(set).toEqual([['name', 'name must not be empty']]);
  });

  it('returns the message when a detail names no field of the form', () => {
    const { set, setError } = recorder();
    const body = { error: { code: 'VALIDATION', message: 'Invalid request body: (body): unrecognized key', details: [{ path: '(body)', message: 'unrecognized key' }] } };
    expect(applyApiError<Values>(body, response, ['name'], setError)).toBe('Invalid request body: (body): unrecognized key');
    expect(set).toEqual([]);
  });

  it("maps the API's paths to the form's fields when they are named differently", () => {
    const { set, setError } = recorder();
    const body = {
      error: { code: 'VALIDATION', message: 'Invalid settings', details: [{ path: 'config.region', message: 'unknown region' }, { path: 'secrets.token', message: 'missing' }] },
    };
    const fieldOf = (path: string) => (path === 'config.region' ? 'optin' : null);
    expect(applyApiError<Values>(body, response, fieldOf, setError)).toBe('Invalid settings');
    expect(set).toEqual([['optin', 'unknown region']]);
  });

  it('returns the message of an error without details (a 401 or a 429)', () => {
    const { setError } = recorder();
    const body = { error: { code: 'UNAUTHORIZED', message: 'Too many failed sign-ins: try again in 15 minute(s).' } };
    expect(applyApiError<Values>(body, new Response(null, { status: 429 }), ['name'], setError)).toBe('Too many failed sign-ins: try again in 15 minute(s).');
  });
});

describe('errorMessage', () => {
  it('names the status when the body is not the API error', () => {
    expect(errorMessage(undefined, new Response(null, { status: 502, statusText: 'Bad Gateway' }))).toBe('The server answered 502 Bad Gateway; try again.');
  });

  it('says the server was unreachable when there was no answer', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
  });
});
