// SendGrid v3 Mail Send: a structured API, so SendGrid builds the MIME and signs DKIM. We
// map the rendered message onto its fields, keep our Message-ID and unsubscribe headers in
// `headers`, carry our message id in `custom_args` (echoed in every Event Webhook post), and
// switch SendGrid's own tracking off: Edgepost tracks opens, clicks and unsubscribes itself.
import type { z } from 'zod';
import { sendgridRegionHosts, type sendgridSettings } from '../../shared/drivers/sendgrid-settings';
import { checkMessage } from '../mime/check-message';
import { SendError } from '../send-error';
import type { ConfigProblem, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { type HttpDriverDeps, fetchWithDeadline, retryAfterMs } from './http-request';
import { MESSAGE_ID_FIELD } from '../../shared/drivers/message-marks';

export interface SendgridDriverOptions {
  config: z.output<typeof sendgridSettings.config>;
  secrets: z.output<typeof sendgridSettings.secrets>;
}

const capabilities: DriverCapabilities = {
  input: 'structured',
  // One message per request: each recipient's body differs (signed links), and per-message
  // requests give each message its own X-Message-Id and its own failure.
  batchSize: 1,
  tracksDelivery: true,
  signsDkim: true,
  // SendGrid's Email Activity API is a paid add-on with its own key scope; webhooks tell us.
  deliveryStatus: false,
};

/** Makes a driver that sends through SendGrid's v3 Mail Send API. */
export function createSendgridDriver({ config, secrets }: SendgridDriverOptions, deps: HttpDriverDeps = {}): Driver {
  const base = (config.endpoint ?? sendgridRegionHosts[config.region]).replace(/\/+$/, '');
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const where = config.endpoint ? base : `SendGrid (${config.region} region)`;

  function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    return fetchWithDeadline(doFetch, `${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${secrets.apiKey}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }, 'SendGrid', timeoutMs);
  }

  return {
    name: 'sendgrid',
    async connect() {},
    async send(message: OutgoingMessage): Promise<SendResult> {
      const response = await request('POST', '/v3/mail/send', sendgridMailBody(message));
      const text = await response.text();
      if (!response.ok) throw sendgridError(response, text);
      const id = response.headers.get('x-message-id');
      return { providerMessageId: id, response: `${response.status} ${response.statusText || 'Accepted'}${id ? ` X-Message-Id ${id}` : ''}` };
    },
    async getDeliveryStatus() {
      return null;
    },
    getCapabilities: () => capabilities,
    async validateConfig(): Promise<ConfigProblem[]> {
      let response: Response;
      try {
        response = await request('GET', '/v3/scopes');
      } catch (err) {
        return [{ path: config.endpoint ? 'config.endpoint' : 'config.region', message: (err as Error).message }];
      }
      const text = await response.text();
      if (response.status === 401 || response.status === 403) {
        const hint = config.endpoint ? '' : config.region === 'eu' ? ' (an EU key only works for an EU regional subuser)' : ' (a key of an EU regional subuser needs region eu)';
        return [{ path: 'secrets.apiKey', message: `the API key was refused by SendGrid (${response.status}): ${providerWords(text)}${hint}` }];
      }
      if (!response.ok) {
        return [{ path: config.endpoint ? 'config.endpoint' : 'config.region', message: `SendGrid answered ${response.status} to GET /v3/scopes: ${providerWords(text)}` }];
      }
      const scopes = parseJson(text)?.scopes;
      if (!Array.isArray(scopes)) return [{ path: 'config.endpoint', message: `${where} did not answer GET /v3/scopes like SendGrid (no scopes list)` }];
      if (!scopes.includes('mail.send')) {
        return [{ path: 'secrets.apiKey', message: 'the API key lacks the mail.send scope: give it Mail Send access in SendGrid (Settings → API Keys), or use another key' }];
      }
      return [];
    },
    async close() {},
  };
}

/** The v3 Mail Send body for one rendered message. */
export function sendgridMailBody(message: OutgoingMessage): Record<string, unknown> {
  const { from, to } = checkMessage(message);
  // SendGrid wants text/plain first, then text/html.
  const content = [{ type: 'text/plain', value: message.text }];
  if (message.html !== null) content.push({ type: 'text/html', value: message.html });
  return {
    personalizations: [{ to: [mailbox(to)] }],
    from: mailbox(from),
    subject: message.subject,
    content,
    // Message-ID is not among the headers SendGrid reserves, so it goes out as ours.
    headers: { ...message.headers, 'Message-ID': message.messageIdHeader },
    custom_args: { [MESSAGE_ID_FIELD]: String(message.messageId) },
    tracking_settings: {
      click_tracking: { enable: false, enable_text: false },
      open_tracking: { enable: false },
      subscription_tracking: { enable: false },
      ganalytics: { enable: false },
    },
  };
}

function mailbox({ name, address }: { name: string; address: string }) {
  return name ? { email: address, name } : { email: address };
}

/** A SendError from a SendGrid error answer, in SendGrid's words (`errors[].message`). */
function sendgridError(response: Response, text: string): SendError {
  const words = providerWords(text);
  const status = response.status;
  const message = `SendGrid refused the message (${status}): ${words}`;
  if (status === 401 || status === 403) return new SendError('EAUTH', message, status, 'http');
  return new SendError(status === 429 ? 'ERATELIMIT' : status >= 500 ? 'ECONNECTION' : 'EMESSAGE', message, status, 'http', rateLimitWaitMs(response.headers));
}

function providerWords(text: string): string {
  const errors = parseJson(text)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((e: { message?: unknown; field?: unknown }) => (typeof e.field === 'string' && e.field ? `${e.field}: ${String(e.message)}` : String(e.message)))
      .join('; ');
  }
  return text.trim().slice(0, 500) || '(no details)';
}

/** Retry-After (seconds or a date), else SendGrid's X-RateLimit-Reset (a Unix time). */
function rateLimitWaitMs(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = retryAfterMs(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.get('x-ratelimit-reset') && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}

// SendGrid answers JSON, but a proxy in front may not; a body that is not JSON is read as text.
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
