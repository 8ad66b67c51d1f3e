// The dashboard's copies of the API's rules must not drift from the originals.
import { describe, expect, it } from 'vitest';
import { passwordProblem as apiPasswordProblem } from '../../../../shared/passwords';
import { settingsSchema } from '../../../../shared/settings';
import { generalSettingsSchema, passwordProblem } from './settings-schemas';

describe('settings forms', () => {
  it.each([
    ['short', 'ann@example.com'],
    ['exactly12chr', 'ann@example.com'],
    ['élan vital ok', 'ann@example.com'],
    ['ann@example.com', 'ann@example.com'],
    [' ANN@example.com ', 'ann@example.com'],
    ['x'.repeat(1001), 'ann@example.com'],
    ['x'.repeat(1000), 'ann@example.com'],
    // Code points, not UTF-16 units: 11 emoji are 22 units but too short.
    ['😀'.repeat(11), 'ann@example.com'],
  ])('judges the password %j as the API does', (password, email) => {
    expect(passwordProblem(password, email) === null).toBe(apiPasswordProblem(password, email) === null);
  });

  it.each([
    { softBounceLimit: 1, softBounceDays: 1 },
    { softBounceLimit: 100, softBounceDays: 365 },
    { softBounceLimit: 0, softBounceDays: 30 },
    { softBounceLimit: 101, softBounceDays: 30 },
    { softBounceLimit: 3, softBounceDays: 366 },
    { softBounceLimit: 2.5, softBounceDays: 30 },
  ])('accepts the soft-bounce rule %j exactly when the API does', (rule) => {
    const form = generalSettingsSchema.safeParse({ ...rule, tracking: 'on', trackingDomain: '' }).success;
    const api = settingsSchema.safeParse({ ...rule, tracking: 'on', trackingDomain: null }).success;
    expect(form).toBe(api);
  });

  it.each(['https://click.example.com', 'click.example.com/path', 'click.example.com:8443', 'localhost'])('refuses the tracking domain %j, as the API does', (host) => {
    expect(generalSettingsSchema.safeParse({ softBounceLimit: 3, softBounceDays: 30, tracking: 'on', trackingDomain: host }).success).toBe(false);
    expect(settingsSchema.safeParse({ trackingDomain: host }).success).toBe(false);
  });
});
