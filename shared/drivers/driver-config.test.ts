import { describe, expect, it } from 'vitest';
import { checkDriverSettings, driverNames } from './driver-config';

describe('driver settings', () => {
  it('knows every driver the sender plane ships', () => {
    expect([...driverNames].sort()).toEqual(['capture', 'elasticemail', 'gmail', 'mailgun', 'postmark', 'sendgrid', 'ses', 'smtp', 'sparkpost']);
  });

  it('accepts smtp settings and applies defaults', () => {
    expect(checkDriverSettings('smtp', { host: 'smtp.example.com', port: 587 }, { user: 'u', pass: 'p' })).toEqual({
      ok: true,
      config: { host: 'smtp.example.com', port: 587, security: 'starttls' },
      secrets: { user: 'u', pass: 'p' },
    });
    expect(checkDriverSettings('smtp', { host: '127.0.0.1', port: 2525, security: 'none', poolSize: 4 }, undefined)).toMatchObject({ ok: true });
  });

  it('names every field that is wrong', () => {
    const result = checkDriverSettings('smtp', { host: 'bad host', port: 70000, security: 'ssl', prot: 1 }, { user: 'u', token: 't' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual([
      'config',
      'config.host',
      'config.port',
      'config.security',
      'secrets',
      'secrets.pass',
    ]);
    expect(result.problems.find((p) => p.path === 'config')?.message).toContain('prot');
    expect(result.problems.find((p) => p.path === 'config.port')?.message).toContain('1-65535');
    expect(result.problems.find((p) => p.path === 'secrets.pass')?.message).toBe('pass is required when user is set');
  });

  it('requires host and port, and refuses a fractional port', () => {
    const result = checkDriverSettings('smtp', { port: 25.5 }, {});
    expect(result.ok ? [] : result.problems.map((p) => p.path).sort()).toEqual(['config.host', 'config.port']);
  });

  it('takes no settings for capture, and refuses an unknown driver', () => {
    expect(checkDriverSettings('capture', {}, undefined)).toEqual({ ok: true, config: {}, secrets: {} });
    expect(checkDriverSettings('capture', { host: 'x' }, {}).ok).toBe(false);
    expect(checkDriverSettings('pigeon', {}, {})).toEqual({
      ok: false,
      problems: [{ path: 'driver', message: `unknown driver "pigeon"; use one of: ${driverNames.join(', ')}` }],
    });
  });
});
