// Relay webhook source settings: the form's text to the API's config and secrets, and the
// API's error paths back to the form's fields.
import { describe, expect, it } from 'vitest';
import { fieldIndexOf, relayFormSettings, relaySchema, relaySettings } from './relay-source-fields';

describe('relay source settings', () => {
  it('sends SNS topic ARNs one per line as a list, blank lines dropped', () => {
    const settings = relaySettings({ provider: 'ses', name: 'SES', settings: { f0: ' arn:aws:sns:eu-west-1:1:a \n\narn:aws:sns:eu-west-1:1:b\n' } });
    expect(settings).toEqual({ config: { topicArns: ['arn:aws:sns:eu-west-1:1:a', 'arn:aws:sns:eu-west-1:1:b'] }, secrets: {} });
    expect(relayFormSettings('ses', settings.config)).toEqual({ f0: 'arn:aws:sns:eu-west-1:1:a\narn:aws:sns:eu-west-1:1:b' });
  });

  it('splits a basic-auth pair between config and secrets, and leaves a blank secret out', () => {
    expect(relaySettings({ provider: 'postmark', name: 'P', settings: { f0: ' hooks ', f1: 'a long password 123' } })).toEqual({ config: { username: 'hooks' }, secrets: { password: 'a long password 123' } });
    expect(relaySettings({ provider: 'postmark', name: 'P', settings: { f0: 'hooks', f1: '' } }).secrets).toEqual({});
  });

  it("finds the field of an API error path, including a list item's", () => {
    expect(fieldIndexOf('ses', 'config.topicArns.1')).toBe(0);
    expect(fieldIndexOf('postmark', 'secrets.password')).toBe(1);
    expect(fieldIndexOf('postmark', 'config')).toBe(-1);
  });

  it('requires every field when adding, and lets a saved secret stay blank when editing', () => {
    const values = { provider: 'mailgun' as const, name: 'MG', settings: { f0: '' } };
    expect(relaySchema(false).safeParse(values).error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['settings.f0', 'Enter the http webhook signing key']]);
    expect(relaySchema(true).safeParse(values).success).toBe(true);
  });
});
