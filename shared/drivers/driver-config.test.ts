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

  it('takes pipelining on or off, and names any other value', () => {
    expect(checkDriverSettings('smtp', { host: 'smtp.example.com', port: 587, pipelining: 'off' }, undefined)).toMatchObject({ ok: true, config: { pipelining: 'off' } });
    const result = checkDriverSettings('smtp', { host: 'smtp.example.com', port: 587, pipelining: false }, undefined);
    expect(result.ok ? [] : result.problems).toEqual([{ path: 'config.pipelining', message: 'pipelining must be "on" or "off"' }]);
  });

  it('requires host and port, and refuses a fractional port', () => {
    const result = checkDriverSettings('smtp', { port: 25.5 }, {});
    expect(result.ok ? [] : result.problems.map((p) => p.path).sort()).toEqual(['config.host', 'config.port']);
  });

  describe('smtp DKIM', () => {
    // Shapes only: the sender parses the key itself (sender/mime/dkim-key.ts) and checks type and size.
    const pem = (label: string) => `-----BEGIN ${label}-----\nMC4CAQAwBQYDK2VwBCIEIOZsbS5rlEXm4cYpWOkCOTYqzvAA0ZRKdnXrNJfPZbd+\n-----END ${label}-----\n`;
    const config = { host: 'smtp.example.com', port: 587, dkim: { domainName: 'shop.example', keySelector: 'ep1' } };
    const problemsOf = (c: unknown, secrets: unknown) => {
      const result = checkDriverSettings('smtp', c, secrets);
      return result.ok ? [] : result.problems;
    };

    it('accepts a domain, a selector and a PEM private key (PKCS#8 or PKCS#1)', () => {
      expect(checkDriverSettings('smtp', config, { dkimPrivateKey: pem('PRIVATE KEY') })).toMatchObject({ ok: true, config: { dkim: config.dkim } });
      expect(checkDriverSettings('smtp', { ...config, dkim: { domainName: 'mail.shop.example', keySelector: 's2024.eu' } }, { dkimPrivateKey: pem('RSA PRIVATE KEY') }).ok).toBe(true);
    });

    it('names the DKIM field that is wrong and says what to paste instead', () => {
      expect(problemsOf({ ...config, dkim: { domainName: 'shop', keySelector: 'ep 1', l: 10 } }, {}).map((p) => `${p.path}: ${p.message}`).sort()).toEqual([
        'config.dkim.domainName: dkim.domainName must be a domain name such as example.com',
        'config.dkim.keySelector: dkim.keySelector must be letters, digits, hyphens and dots, e.g. ep1',
        'config.dkim: unknown setting(s) l',
      ]);
      const keyProblem = (key: string) => problemsOf(config, { dkimPrivateKey: key }).map((p) => `${p.path}: ${p.message}`);
      expect(keyProblem('not a key')).toEqual([expect.stringMatching(/^secrets\.dkimPrivateKey: dkimPrivateKey must be a PEM private key/)]);
      expect(keyProblem(pem('PUBLIC KEY'))).toEqual([expect.stringContaining('is a public key or certificate')]);
      expect(keyProblem(pem('ENCRYPTED PRIVATE KEY'))).toEqual([expect.stringContaining('is encrypted')]);
      expect(keyProblem(pem('EC PRIVATE KEY'))).toEqual([expect.stringContaining('RSA (2048-bit) or Ed25519')]);
      expect(keyProblem(pem('PRIVATE KEY').replace('END PRIVATE', 'END RSA PRIVATE'))).toEqual([expect.stringContaining('PEM private key')]);
    });
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

describe('settings that span config and secrets', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n';
  it('wants the DKIM key with the DKIM settings, and the settings with the key', () => {
    const config = { host: 'smtp.example.com', port: 587, dkim: { domainName: 'example.com', keySelector: 'ep1' } };
    expect(checkDriverSettings('smtp', config, {})).toEqual({ ok: false, problems: [{ path: 'secrets.dkimPrivateKey', message: 'dkimPrivateKey is required when config.dkim is set' }] });
    expect(checkDriverSettings('smtp', { host: 'smtp.example.com', port: 587 }, { dkimPrivateKey: pem })).toMatchObject({ ok: false, problems: [{ path: 'config.dkim' }] });
    expect(checkDriverSettings('smtp', config, { dkimPrivateKey: pem }).ok).toBe(true);
  });
});
