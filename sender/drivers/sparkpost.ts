// SparkPost's Transmissions API with our own MIME as `email_rfc822`: the message SparkPost
// relays is the one we built, with our Message-ID and unsubscribe headers. Its tracking is
// off per transmission, since we rewrite links and add the pixel ourselves; our message id
// rides in `metadata`, which SparkPost returns on every webhook event.
import type { z } from 'zod';
import { sparkpostRegions, type sparkpostSettings } from '../../shared/drivers/sparkpost-settings';
import { createMimeBuilder } from '../mime/build-mime';
import { SendError } from '../send-error';
import type { ConfigProblem, DeliveryStatus, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { type HttpDriverDeps, fetchWithDeadline, retryAfterMs } from './http-request';
import { MESSAGE_ID_FIELD } from '../../shared/drivers/message-marks';

export interface SparkpostDriverOptions {
  config: z.output<typeof sparkpostSettings.config>;
  secrets: z.output<typeof sparkpostSettings.secrets>;
}

const capabilities: DriverCapabilities = {
  input: 'raw',
  batchSize: 1,
  tracksDelivery: true,
  signsDkim: true,
  deliveryStatus: true,
};

const EVENT_RETENTION_MS = 10 * 24 * 3600 * 1000;

// Events that say something about delivery, and what each means for us.
const EVENT_STATUS: Record<string, DeliveryStatus> = {
  injection: 'accepted',
  delay: 'deferred',
  delivery: 'delivered',
  bounce: 'bounced',
  out_of_band: 'bounced',
  policy_rejection: 'bounced',
  generation_failure: 'bounced',
  generation_rejection: 'bounced',
};

/** Makes a driver that sends our MIME through SparkPost's Transmissions API. */
export function createSparkpostDriver({ config, secrets }: SparkpostDriverOptions, deps: HttpDriverDeps = {}): Driver {
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const base = (config.endpoint ?? sparkpostRegions[config.region]).replace(/\/+$/, '');
  const buildMime = createMimeBuilder();

  /** One request to SparkPost; network failures and timeouts become retryable SendErrors. */
  function request(path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
    return fetchWithDeadline(doFetch, `${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: secrets.apiKey, accept: 'application/json', ...(init.json ? { 'content-type': 'application/json' } : {}) },
      ...(init.json ? { body: JSON.stringify(init.json) } : {}),
    }, 'SparkPost', timeoutMs);
  }

  async function send(message: OutgoingMessage): Promise<SendResult> {
    const { raw, envelope } = buildMime(message);
    const res = await request('/api/v1/transmissions', {
      method: 'POST',
      json: {
        options: { open_tracking: false, click_tracking: false },
        metadata: { [MESSAGE_ID_FIELD]: String(message.messageId) },
        recipients: [{ address: { email: envelope.to[0]! } }],
        content: { email_rfc822: raw.toString('utf8') },
      },
    });
    const body = await res.text();
    if (!res.ok) throw sparkpostError(res, body);
    const results = (parseJson(body) as { results?: { id?: unknown; total_rejected_recipients?: unknown; total_accepted_recipients?: unknown } } | null)?.results;
    // A 200 can still turn the one recipient away: that is a verdict on the recipient, so
    // permanent (the 200 status tells the classifier it was no transport failure).
    if (typeof results?.total_rejected_recipients === 'number' && results.total_rejected_recipients > 0) {
      throw new SendError('EENVELOPE', `SparkPost rejected the recipient ${envelope.to[0]} (total_rejected_recipients: ${results.total_rejected_recipients})`, res.status, 'http');
    }
    const id = typeof results?.id === 'string' ? results.id : null;
    return { providerMessageId: id, response: `accepted by SparkPost as transmission ${id ?? '(no id)'}` };
  }

  function sparkpostError(res: Response, body: string): SendError {
    const words = `SparkPost answered ${res.status}: ${providerWords(body)}`;
    const retryAfter = retryAfterMs(res.headers.get('retry-after'));
    if (res.status === 401) return new SendError('EAUTH', `the API key was refused by SparkPost (401): ${providerWords(body)}`, 401, 'http');
    if (res.status === 403) return new SendError('EAUTH', `the API key lacks a permission this needs (403): ${providerWords(body)}`, 403, 'http');
    // 420 is SparkPost's "sending limit exceeded" (daily, monthly or sandbox): slowing the
    // server down is the answer, as for a 429, so it is reported as one.
    if (res.status === 420 || res.status === 429) return new SendError('ERATELIMIT', words, 429, 'http', retryAfter);
    if (res.status === 408 || res.status >= 500) return new SendError('ECONNECTION', words, res.status, 'http', retryAfter);
    // 1902 "Message generation rejected": the recipient is suppressed or refused by policy.
    return new SendError(errorCodes(body).includes('1902') ? 'EENVELOPE' : 'EMESSAGE', words, res.status, 'http');
  }

  async function validateConfig(): Promise<ConfigProblem[]> {
    let res: Response;
    try {
      // Listing scheduled transmissions reads with the one permission sending needs.
      res = await request('/api/v1/transmissions');
    } catch (err) {
      return [{ path: config.endpoint ? 'config.endpoint' : 'config.region', message: (err as Error).message }];
    }
    const body = await res.text();
    if (res.status === 401) {
      return [{ path: 'secrets.apiKey', message: `the API key was refused by SparkPost (401); check the key, and that your account is in the ${config.region} region (${new URL(base).host})` }];
    }
    if (res.status === 403) {
      return [{ path: 'secrets.apiKey', message: `the API key lacks the Transmissions: Read/Write permission (403): ${providerWords(body)}` }];
    }
    if (!res.ok) return [{ path: config.endpoint ? 'config.endpoint' : 'config.region', message: `SparkPost answered ${res.status}: ${providerWords(body)}; try again later` }];
    return [];
  }

  async function getDeliveryStatus(providerMessageId: string): Promise<DeliveryStatus | null> {
    // The search covers the last 24 hours unless told otherwise; SparkPost keeps 10 days.
    const from = new Date(Date.now() - EVENT_RETENTION_MS).toISOString().slice(0, 19) + 'Z';
    const query = new URLSearchParams({ transmissions: providerMessageId, events: Object.keys(EVENT_STATUS).join(','), from, per_page: '100' });
    const res = await request(`/api/v1/events/message?${query}`);
    const body = await res.text();
    if (!res.ok) throw sparkpostError(res, body);
    const events = (parseJson(body) as { results?: { type?: string; timestamp?: string }[] } | null)?.results ?? [];
    const last = events
      .filter((e) => e.type !== undefined && Object.hasOwn(EVENT_STATUS, e.type))
      .sort((a, b) => Date.parse(a.timestamp ?? '') - Date.parse(b.timestamp ?? ''))
      .at(-1);
    return last ? EVENT_STATUS[last.type!]! : 'unknown';
  }

  return {
    name: 'sparkpost',
    // Nothing to open: each send is one HTTPS request, and fetch keeps connections alive.
    async connect() {},
    send,
    getDeliveryStatus,
    getCapabilities: () => capabilities,
    validateConfig,
    async close() {},
  };
}

/** SparkPost answers errors as `{"errors": [{"message", "description", "code"}]}`. */
function providerWords(body: string): string {
  const errors = (parseJson(body) as { errors?: { message?: string; description?: string }[] } | null)?.errors;
  const words = Array.isArray(errors)
    ? errors.map((e) => [e.message, e.description].filter(Boolean).join(': ')).join('; ')
    : body.trim();
  return (words || 'no explanation given').slice(0, 500);
}

function errorCodes(body: string): string[] {
  const errors = (parseJson(body) as { errors?: { code?: unknown }[] } | null)?.errors;
  return Array.isArray(errors) ? errors.map((e) => String(e.code)) : [];
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

