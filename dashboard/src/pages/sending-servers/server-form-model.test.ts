// The sending-server form's model: values to API bodies, and the drivers' own schemas run
// on them as the user types (a saved secret left blank is not a mistake).
import { describe, expect, it } from 'vitest';
import { formValuesOf, serverResolver, settingsPart, type SendingServer, type ServerFormValues } from './server-form-model';

const resolve = (values: ServerFormValues, saved: string[] = []) => serverResolver(saved)(values, undefined, { fields: {}, shouldUseNativeValidation: false });

function smtpValues(overrides: Partial<ServerFormValues> = {}): ServerFormValues {
  return { ...formValuesOf(null, 'smtp'), name: 'Relay', ...overrides };
}

describe('settingsPart', () => {
  it('nests dotted settings, turns whole numbers to numbers and leaves blanks out', () => {
    const values = smtpValues({
      config: { host: ' smtp.example.com ', port: '587', security: 'starttls', poolSize: '', dkim: { domainName: 'example.com', keySelector: 'ep1' } },
      secrets: { user: 'mailer', pass: ' spaced pass ', dkimPrivateKey: '' },
    });
    expect(settingsPart('smtp', values, 'config')).toEqual({ host: 'smtp.example.com', port: 587, security: 'starttls', dkim: { domainName: 'example.com', keySelector: 'ep1' } });
    // Secrets are sent exactly as typed: a password may begin with a space.
    expect(settingsPart('smtp', values, 'secrets')).toEqual({ user: 'mailer', pass: ' spaced pass ' });
  });

  it('keeps a number that does not parse as text, so the schema names the mistake', () => {
    expect(settingsPart('smtp', smtpValues({ config: { host: 'h.example', port: '58x' } }), 'config')).toEqual({ host: 'h.example', port: '58x' });
  });
});

describe('serverResolver', () => {
  it("puts the driver schema's problems on their fields", async () => {
    const result = await resolve(smtpValues({ config: { host: 'smtp.example.com', port: 'abc', security: 'starttls' }, secrets: { user: 'mailer' } }));
    expect(result.errors).toMatchObject({
      config: { port: { message: 'port must be a whole number, e.g. 587' } },
      secrets: { pass: { message: 'pass is required when user is set' } },
    });
  });

  it('keeps the driver’s own words for a missing setting, and names the field where zod has none', async () => {
    const sendgrid = await resolve({ ...formValuesOf(null, 'sendgrid'), name: 'SG' });
    expect(sendgrid.errors).toMatchObject({ secrets: { apiKey: { message: 'apiKey is required: a SendGrid API key (SG.…) with Mail Send access' } } });
    const dkim = await resolve(smtpValues({ config: { host: 'h.example', port: '25', security: 'none', dkim: { domainName: 'example.com', keySelector: '' } } }));
    expect(dkim.errors).toMatchObject({ config: { dkim: { keySelector: { message: 'Enter the dkim selector' } } } });
  });

  it('accepts a blank secret that is saved on the server', async () => {
    const values = { ...formValuesOf(null, 'sendgrid'), name: 'SG' };
    expect((await resolve(values, ['apiKey'])).errors).toEqual({});
  });

  it('checks a saved secret again once it is marked for removal', async () => {
    const values = { ...formValuesOf(null, 'sendgrid'), name: 'SG', removeSecrets: ['apiKey'] };
    expect((await resolve(values, ['apiKey'])).errors).toMatchObject({ secrets: { apiKey: { message: expect.stringContaining('apiKey is required') } } });
  });

  it('checks the name, the rate and each domain rate', async () => {
    const result = await resolve(
      smtpValues({
        name: ' ',
        rate: 'fast',
        config: { host: 'h.example', port: '25', security: 'none' },
        domainRates: [
          { domain: 'gmail.com', rate: '20/min' },
          { domain: 'Gmail.com', rate: '5/s' },
          { domain: 'localhost', rate: '' },
        ],
      }),
    );
    expect(result.errors).toMatchObject({
      name: { message: 'Give the server a name' },
      rate: { message: expect.stringContaining('"50/s"') },
      domainRates: {
        1: { domain: { message: 'gmail.com already has a rate above' } },
        2: { domain: { message: 'Enter a domain name with a dot, e.g. gmail.com' }, rate: { message: 'Enter a rate, e.g. 20/min' } },
      },
    });
  });

  it('passes good values through', async () => {
    const values = smtpValues({ rate: '50/s', config: { host: '127.0.0.1', port: '2525', security: 'none' } });
    expect(await resolve(values)).toEqual({ values, errors: {} });
  });
});

describe('formValuesOf', () => {
  it('shows a saved server: rates as text, config as typed, secrets blank', () => {
    const server = {
      id: 3,
      name: 'Relay',
      driver: 'smtp',
      config: { host: 'smtp.example.com', port: 587, security: 'starttls' },
      secretsSet: ['pass', 'user'],
      secretsProblem: null,
      rate: { count: 50, per: 'second' },
      domainRates: { 'gmail.com': { count: 20, per: 'minute' } },
      isDefault: true,
      connectionCheck: { status: 'never', checkedAt: null, problems: [] },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    } satisfies SendingServer;
    expect(formValuesOf(server)).toEqual({
      name: 'Relay',
      driver: 'smtp',
      rate: '50/second',
      domainRates: [{ domain: 'gmail.com', rate: '20/minute' }],
      config: { host: 'smtp.example.com', port: '587', security: 'starttls', poolSize: '', pipelining: '', dkim: { domainName: '', keySelector: '' } },
      secrets: { user: '', pass: '', dkimPrivateKey: '' },
      removeSecrets: [],
    });
  });
});
