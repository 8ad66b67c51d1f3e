// The fields of each sending driver's form. The rules behind them are the drivers' own
// schemas (shared/drivers/*-settings.ts), imported as they are, so the form checks exactly
// what the API will; this table only says how to ask for each setting.
import { driverNames, driverSettings, type DriverName } from '../../../../shared/drivers/driver-config';
import { mailgunRegions } from '../../../../shared/drivers/mailgun-settings';
import { sendgridRegionHosts } from '../../../../shared/drivers/sendgrid-settings';
import { sesRegions } from '../../../../shared/drivers/ses-settings';
import { sparkpostRegions } from '../../../../shared/drivers/sparkpost-settings';

export { driverNames, driverSettings, type DriverName };

export interface SettingField {
  /** Where the value goes, in the form and in the API's error details: `config.port`, `secrets.pass`. */
  path: string;
  label: string;
  /** `secret`: write-only, typed hidden; `secret-text`: write-only, typed visibly (a user name). */
  kind: 'text' | 'number' | 'select' | 'secret' | 'secret-text' | 'secret-multiline';
  options?: readonly string[];
  description?: string;
  /** Not needed for the driver to work. */
  optional?: boolean;
  /** What the driver uses when the field is left empty. */
  defaultValue?: string;
}

const endpoint: SettingField = {
  path: 'config.endpoint',
  label: 'API endpoint override',
  kind: 'text',
  optional: true,
  description: 'Only for a proxy or a local test server: https, or http on 127.0.0.1.',
};
const apiKey = (description: string): SettingField => ({ path: 'secrets.apiKey', label: 'API key', kind: 'secret', description });

/** The fields of each driver, in the order the form shows them. */
export const driverFields: Record<DriverName, readonly SettingField[]> = {
  smtp: [
    { path: 'config.host', label: 'Host', kind: 'text', description: 'e.g. smtp.example.com' },
    { path: 'config.port', label: 'Port', kind: 'number', description: 'Usually 587 (STARTTLS) or 465 (TLS).' },
    { path: 'config.security', label: 'Security', kind: 'select', options: ['starttls', 'tls', 'opportunistic', 'none'], defaultValue: 'starttls', description: '"none" only for a relay on loopback or a private network.' },
    { path: 'config.poolSize', label: 'Connections per sender container', kind: 'number', optional: true },
    { path: 'config.pipelining', label: 'Pipelining', kind: 'select', options: ['on', 'off'], defaultValue: 'on', optional: true, description: 'Off only for a relay that offers PIPELINING and mishandles it.' },
    { path: 'secrets.user', label: 'User name', kind: 'secret-text', optional: true, description: 'Leave empty for a relay without login.' },
    { path: 'secrets.pass', label: 'Password', kind: 'secret', optional: true },
    { path: 'config.dkim.domainName', label: 'DKIM domain', kind: 'text', optional: true, description: 'Sign with DKIM: the d= domain, e.g. example.com.' },
    { path: 'config.dkim.keySelector', label: 'DKIM selector', kind: 'text', optional: true, description: 'The s= selector, e.g. ep1.' },
    { path: 'secrets.dkimPrivateKey', label: 'DKIM private key (PEM)', kind: 'secret-multiline', optional: true, description: 'RSA 2048-bit or Ed25519, without a passphrase.' },
  ],
  gmail: [
    { path: 'secrets.user', label: 'Gmail address', kind: 'secret-text', description: 'The Gmail or Workspace address that signs in.' },
    { path: 'secrets.appPassword', label: 'App password', kind: 'secret', optional: true, description: 'The 16 letters Google shows; or fill in the three OAuth2 fields instead.' },
    { path: 'secrets.clientId', label: 'OAuth2 client id', kind: 'secret-text', optional: true },
    { path: 'secrets.clientSecret', label: 'OAuth2 client secret', kind: 'secret', optional: true },
    { path: 'secrets.refreshToken', label: 'OAuth2 refresh token', kind: 'secret', optional: true },
    { path: 'config.security', label: 'Security', kind: 'select', options: ['tls', 'starttls', 'none'], defaultValue: 'tls', optional: true },
    { path: 'config.host', label: 'Host', kind: 'text', optional: true, defaultValue: 'smtp.gmail.com' },
    { path: 'config.port', label: 'Port', kind: 'number', optional: true, description: '465 for tls, 587 for starttls when empty.' },
    { path: 'config.poolSize', label: 'Connections per sender container', kind: 'number', optional: true, description: '1-10: Google allows few at once.' },
  ],
  sendgrid: [
    apiKey('A SendGrid API key (SG.…) with Mail Send access.'),
    { path: 'config.region', label: 'Region', kind: 'select', options: Object.keys(sendgridRegionHosts), defaultValue: 'global' },
    endpoint,
  ],
  postmark: [
    { path: 'secrets.serverToken', label: 'Server API token', kind: 'secret', description: "From the server's API Tokens tab." },
    { path: 'config.messageStream', label: 'Message stream', kind: 'text', optional: true, defaultValue: 'broadcast', description: 'A Broadcasts stream id.' },
    endpoint,
  ],
  ses: [
    { path: 'config.region', label: 'Region', kind: 'select', options: sesRegions, description: 'Where your identities are verified.' },
    { path: 'secrets.accessKeyId', label: 'Access key id', kind: 'secret-text' },
    { path: 'secrets.secretAccessKey', label: 'Secret access key', kind: 'secret' },
    { path: 'secrets.sessionToken', label: 'Session token', kind: 'secret', optional: true, description: 'Only for temporary credentials (keys starting ASIA).' },
    { path: 'config.configurationSetName', label: 'Configuration set', kind: 'text', optional: true, description: 'Its event destinations report deliveries, bounces and complaints.' },
    endpoint,
  ],
  mailgun: [
    { path: 'config.domain', label: 'Sending domain', kind: 'text', description: 'As Mailgun knows it, e.g. mg.shop.example.' },
    { path: 'config.region', label: 'Region', kind: 'select', options: Object.keys(mailgunRegions), defaultValue: 'us' },
    apiKey('The private API key, or a domain sending key.'),
    endpoint,
  ],
  sparkpost: [
    apiKey('With the Transmissions: Read/Write permission.'),
    { path: 'config.region', label: 'Region', kind: 'select', options: Object.keys(sparkpostRegions), defaultValue: 'us' },
    endpoint,
  ],
  elasticemail: [
    apiKey('With the SendHttp and ViewReports access levels.'),
    { path: 'config.channelName', label: 'Channel name', kind: 'text', optional: true },
    { path: 'config.poolName', label: 'IP pool', kind: 'text', optional: true },
    endpoint,
  ],
  capture: [],
};

/** The driver's names as the select shows them. */
export const driverLabels: Record<DriverName, string> = {
  smtp: 'SMTP relay or MTA',
  gmail: 'Gmail / Google Workspace',
  sendgrid: 'SendGrid',
  postmark: 'Postmark',
  ses: 'Amazon SES',
  mailgun: 'Mailgun',
  sparkpost: 'SparkPost',
  elasticemail: 'Elastic Email',
  capture: 'Capture (sends nothing)',
};

/** True for the fields whose values go in encrypted and never come back. */
export function isSecret(field: SettingField): boolean {
  return field.path.startsWith('secrets.');
}
