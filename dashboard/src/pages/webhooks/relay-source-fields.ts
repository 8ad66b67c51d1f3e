// What each relay's webhook source asks for (the provider modules' schemas in
// shared/webhooks/*-webhook.ts are the rules; the API checks them and its errors land on
// these fields), and how the form's text becomes the API's settings.
import { z } from 'zod';
import { webhookProviders, type WebhookProvider } from '../../../../shared/feedback/delivery-event';

export { webhookProviders, type WebhookProvider };

export interface RelayField {
  /** `config.topicArns`, `secrets.password`: as the API names it in error details. */
  path: string;
  label: string;
  /** `lines`: one value per line, sent as a list; `secret`: write-only. */
  kind: 'text' | 'multiline' | 'lines' | 'secret';
  description?: string;
}

export const providerLabels: Record<WebhookProvider, string> = {
  ses: 'Amazon SES (through SNS)',
  mailgun: 'Mailgun',
  sendgrid: 'SendGrid',
  postmark: 'Postmark',
  sparkpost: 'SparkPost',
  elasticemail: 'Elastic Email',
};

/** Where in the relay's console the URL goes. */
export const providerHelp: Record<WebhookProvider, string> = {
  ses: 'Subscribe the URL to each SNS topic over HTTPS (raw message delivery off); Edgepost confirms the subscription itself.',
  mailgun: 'Sending, Webhooks: add the URL for each event, and copy the HTTP webhook signing key here.',
  sendgrid: 'Settings, Mail Settings, Event Webhook: paste the URL, turn on Signed Event Webhook and copy its Verification Key here.',
  postmark: 'Put the pair in the URL: https://user:password@… followed by the path below.',
  sparkpost: "Set the webhook's Authentication to Basic Authentication with this pair.",
  elasticemail: 'Set the notification URL to the URL below followed by your token, and notify on Sent, Opened, Clicked, Unsubscribed, Complaints and Bounce/Error.',
};

const basicAuth = (relay: string): RelayField[] => [
  { path: 'config.username', label: 'Basic-auth user', kind: 'text', description: `The user you give ${relay}; no ":".` },
  { path: 'secrets.password', label: 'Basic-auth password', kind: 'secret', description: 'At least 16 characters (try: openssl rand -hex 16).' },
];

export const providerFields: Record<WebhookProvider, readonly RelayField[]> = {
  ses: [{ path: 'config.topicArns', label: 'SNS topic ARNs', kind: 'lines', description: 'One per line, e.g. arn:aws:sns:eu-west-1:123456789012:ses-events.' }],
  mailgun: [{ path: 'secrets.signingKey', label: 'HTTP webhook signing key', kind: 'secret' }],
  sendgrid: [{ path: 'config.publicKey', label: 'Verification key', kind: 'multiline', description: 'The base64 key SendGrid shows for the Signed Event Webhook.' }],
  postmark: basicAuth('Postmark'),
  sparkpost: basicAuth('SparkPost'),
  elasticemail: [{ path: 'secrets.token', label: 'Token', kind: 'secret', description: '24 to 256 letters, digits, ".", "_", "~" or "-" (try: openssl rand -hex 16).' }],
};

export interface RelayValues {
  provider: WebhookProvider;
  name: string;
  /** Field path (`config.topicArns`) to the text typed. */
  settings: Record<string, string>;
}

/** Field paths hold dots, which react-hook-form reads as nesting: the form keys them by index instead. */
export function settingsKey(index: number): string {
  return `f${index}`;
}

/** The form's check: a name, and each field the provider needs (a saved secret may stay blank when editing). */
export function relaySchema(editing: boolean) {
  return z
    .object({ provider: z.enum(webhookProviders), name: z.string().trim().min(1, 'Give the source a name').max(200, 'Use at most 200 characters'), settings: z.record(z.string(), z.string()) })
    .superRefine((values, ctx) => {
      providerFields[values.provider].forEach((field, index) => {
        const blank = (values.settings[settingsKey(index)] ?? '').trim() === '';
        if (blank && !(editing && field.kind === 'secret')) ctx.addIssue({ code: 'custom', path: ['settings', settingsKey(index)], message: `Enter the ${field.label.toLowerCase()}` });
      });
    });
}

/** The API's `config` and `secrets` from the form (blank secrets left out). */
export function relaySettings(values: RelayValues): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const parts: { config: Record<string, unknown>; secrets: Record<string, unknown> } = { config: {}, secrets: {} };
  providerFields[values.provider].forEach((field, index) => {
    const text = values.settings[settingsKey(index)] ?? '';
    const [part, key] = field.path.split('.') as ['config' | 'secrets', string];
    if (field.kind === 'lines') parts[part][key] = text.split('\n').map((l) => l.trim()).filter(Boolean);
    else if (text.trim() !== '') parts[part][key] = field.kind === 'secret' ? text : text.trim();
  });
  return parts;
}

/** The form's text of a saved source (secrets blank). */
export function relayFormSettings(provider: WebhookProvider, config: Record<string, unknown> | null): Record<string, string> {
  return Object.fromEntries(
    providerFields[provider].map((field, index) => {
      const saved = config && field.path.startsWith('config.') ? config[field.path.slice('config.'.length)] : undefined;
      return [settingsKey(index), Array.isArray(saved) ? saved.join('\n') : typeof saved === 'string' ? saved : ''];
    }),
  );
}

/** The index of the field an API error detail names (`config.topicArns.0` is the ARN list's). */
export function fieldIndexOf(provider: WebhookProvider, path: string): number {
  return providerFields[provider].findIndex((f) => path === f.path || path.startsWith(`${f.path}.`));
}
