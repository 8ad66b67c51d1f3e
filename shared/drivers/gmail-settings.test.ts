import { describe, expect, it } from 'vitest';
import { gmailSettings } from './gmail-settings';

function problems(schema: typeof gmailSettings.config | typeof gmailSettings.secrets, value: unknown) {
  const result = schema.safeParse(value);
  return (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('gmail settings: config', () => {
  it('defaults to smtp.gmail.com over TLS on 465, and 587 for STARTTLS', () => {
    expect(gmailSettings.config.parse({})).toEqual({ host: 'smtp.gmail.com', security: 'tls', port: 465 });
    expect(gmailSettings.config.parse({ security: 'starttls' })).toMatchObject({ port: 587 });
    expect(gmailSettings.config.parse({ host: '127.0.0.1', port: 2525, security: 'none', tokenUrl: 'http://127.0.0.1:9/token' })).toMatchObject({ port: 2525 });
  });

  it('refuses plain SMTP and http token URLs away from loopback, naming the field', () => {
    expect(problems(gmailSettings.config, { security: 'none' })).toEqual([{ path: 'security', message: expect.stringContaining('only for a relay on 127.0.0.1') }]);
    expect(problems(gmailSettings.config, { tokenUrl: 'http://oauth.example.com/token' })).toEqual([{ path: 'tokenUrl', message: expect.stringContaining('https') }]);
    expect(problems(gmailSettings.config, { port: 0 })).toEqual([{ path: 'port', message: 'port must be 1-65535' }]);
    expect(problems(gmailSettings.config, { security: 'ssl' })[0]).toMatchObject({ path: 'security', message: expect.stringContaining('tls (port 465)') });
  });
});

describe('gmail settings: secrets', () => {
  it('takes an app password as Google shows it, spaces dropped', () => {
    expect(gmailSettings.secrets.parse({ user: 'news@shop.example', appPassword: 'abcd efgh ijkl mnop' })).toEqual({ user: 'news@shop.example', appPassword: 'abcdefghijklmnop' });
  });

  it('takes OAuth2 with all three of clientId, clientSecret and refreshToken', () => {
    const oauth = { user: 'news@shop.example', clientId: 'id', clientSecret: 'secret', refreshToken: '1//0x' };
    expect(gmailSettings.secrets.parse(oauth)).toEqual(oauth);
    expect(problems(gmailSettings.secrets, { ...oauth, refreshToken: undefined })).toEqual([{ path: 'refreshToken', message: expect.stringContaining('refreshToken is required for OAuth2') }]);
  });

  it('says what is wrong with each bad input', () => {
    expect(problems(gmailSettings.secrets, { appPassword: 'abcdefghijklmnop' })).toEqual([{ path: 'user', message: expect.stringContaining('user is required') }]);
    expect(problems(gmailSettings.secrets, { user: 'news@shop.example' })).toEqual([{ path: 'appPassword', message: expect.stringContaining('give appPassword, or clientId') }]);
    expect(problems(gmailSettings.secrets, { user: 'news@shop.example', appPassword: 'hunter2' })).toEqual([{ path: 'appPassword', message: expect.stringContaining('16-letter app password') }]);
    expect(problems(gmailSettings.secrets, { user: 'news', appPassword: 'abcdefghijklmnop' })).toEqual([{ path: 'user', message: expect.stringContaining('Gmail or Workspace address') }]);
    expect(problems(gmailSettings.secrets, { user: 'news@shop.example', appPassword: 'abcdefghijklmnop', clientId: 'id' })).toEqual([{ path: 'appPassword', message: expect.stringContaining('not both') }]);
    const unknown = gmailSettings.secrets.safeParse({ user: 'news@shop.example', appPassword: 'abcdefghijklmnop', pass: 'x' });
    expect(unknown.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['pass'] });
  });
});
