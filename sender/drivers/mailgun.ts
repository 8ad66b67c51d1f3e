// Mailgun's HTTP API, sending our own MIME (messages.mime): the message Mailgun relays is
// byte for byte the one we built, with our Message-ID and unsubscribe headers. Mailgun's own
// tracking is turned off per message, since we rewrite links and add the pixel ourselves.
import type { z } from 'zod';
import { mailgunRegions, type mailgunSettings } from '../../shared/drivers/mailgun-settings';
import { createMimeBuilder } from '../mime/build-mime';
import { SendError } from '../send-error';
import type { ConfigProblem, DeliveryStatus, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { type HttpDriverDeps, fetchWithDeadline, retryAfterMs } from './http-request';
import { MAILGUN_MESSAGE_VARIABLE } from '../../shared/drivers/message-marks';

export interface MailgunDriverOptions {
  config: z.output<typeof mailgunSettings.config>;
  secrets: z.output<typeof mailgunSettings.secrets>;
}

const capabilities: DriverCapabilities = {
  input: 'raw',
  batchSize: 1,
  tracksDelivery: true,
  signsDkim: true,
  deliveryStatus: true,
};

/** Makes a driver that sends our MIME through Mailgun's messages.mime API. */
export function createMailgunDriver({ config, secrets }: MailgunDriverOptions, deps: HttpDriverDeps = {}): Driver {
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const base = (config.endpoint ?? mailgunRegions[config.region]).replace(/\/+$/, '');
  const domainPath = encodeURIComponent(config.domain);
  const authorization = `Basic ${btoa(`api:${secrets.apiKey}`)}`;
  const buildMime = createMimeBuilder();

  /** One request to Mailgun; network failures and timeouts become retryable SendErrors. */
  function request(path: string, init: Omit<RequestInit, 'signal'> = {}): Promise<Response> {
    return fetchWithDeadline(doFetch, `${base}${path}`, { ...init, headers: { authorization, accept: 'application/json' } }, 'Mailgun', timeoutMs);
  }

  async function send(message: OutgoingMessage): Promise<SendResult> {
    const { raw, envelope } = buildMime(message);
    const form = new FormData();
    form.append('to', envelope.to[0]!);
    form.append('message', new Blob([raw as Uint8Array<ArrayBuffer>], { type: 'message/rfc822' }), 'message.mime');
    form.append('o:tracking', 'no');
    form.append('o:tracking-clicks', 'no');
    form.append('o:tracking-opens', 'no');
    form.append(`v:${MAILGUN_MESSAGE_VARIABLE}`, String(message.messageId));
    const res = await request(`/v3/${domainPath}/messages.mime`, { method: 'POST', body: form });
    const body = await res.text();
    if (!res.ok) throw mailgunError(res, body);
    const answer = parseJson(body) as { id?: unknown; message?: unknown } | null;
    // Mailgun's id is the Message-ID it will use, in angle brackets; its webhooks and Events
    // API name the message without them, so we keep it that way.
    const id = typeof answer?.id === 'string' ? answer.id.replace(/^<|>$/g, '') : null;
    return { providerMessageId: id, response: typeof answer?.message === 'string' ? answer.message : body.slice(0, 500) };
  }

  function mailgunError(res: Response, body: string): SendError {
    const words = `Mailgun answered ${res.status}: ${providerWords(body)}`;
    const retryAfter = retryAfterMs(res.headers.get('retry-after'));
    if (res.status === 401 || res.status === 403) return new SendError('EAUTH', `the API key was refused by Mailgun (${res.status}): ${providerWords(body)}`, res.status, 'http');
    // No such domain in this account and region: no message can go out until it is fixed.
    if (res.status === 404) return new SendError('ECONFIG', `${words} (is ${config.domain} a Mailgun domain in the ${config.region} region?)`, res.status, 'http');
    if (res.status === 429) return new SendError('ERATELIMIT', words, 429, 'http', retryAfter);
    if (res.status === 408 || res.status >= 500) return new SendError('ECONNECTION', words, res.status, 'http', retryAfter);
    return new SendError(/\bto\b.*address/i.test(body) ? 'EENVELOPE' : 'EMESSAGE', words, res.status, 'http');
  }

  async function validateConfig(): Promise<ConfigProblem[]> {
    let res: Response;
    try {
      res = await request(`/v3/domains/${domainPath}`);
    } catch (err) {
      return [{ path: config.endpoint ? 'config.endpoint' : 'config.region', message: (err as Error).message }];
    }
    const body = await res.text();
    if (res.status === 401) return [{ path: 'secrets.apiKey', message: 'the API key was refused by Mailgun (401)' }];
    if (res.status === 403) return [{ path: 'secrets.apiKey', message: `Mailgun refused this API key access to ${config.domain} (403): ${providerWords(body)}; use an account API key with access to the domain` }];
    if (res.status === 404) {
      const host = new URL(base).host;
      return [{ path: 'config.domain', message: `the domain ${config.domain} is not in this Mailgun account in the ${config.region} region (${host}); check the name, or set the region the domain was created in` }];
    }
    if (!res.ok) return [{ path: 'config.domain', message: `Mailgun answered ${res.status} when reading ${config.domain}: ${providerWords(body)}; try again later` }];
    const state = (parseJson(body) as { domain?: { state?: unknown } } | null)?.domain?.state;
    if (typeof state === 'string' && state !== 'active') {
      return [{ path: 'config.domain', message: `the domain ${config.domain} is ${state} in Mailgun: publish its DNS records and verify it in Mailgun before sending` }];
    }
    return [];
  }

  async function getDeliveryStatus(providerMessageId: string): Promise<DeliveryStatus | null> {
    const query = new URLSearchParams({ 'message-id': providerMessageId, limit: '300' });
    const res = await request(`/v3/${domainPath}/events?${query}`);
    const body = await res.text();
    if (!res.ok) throw mailgunError(res, body);
    const items = (parseJson(body) as { items?: MailgunEvent[] } | null)?.items ?? [];
    return deliveryStatusOf(items);
  }

  return {
    name: 'mailgun',
    // Nothing to open: each send is one HTTPS request, and fetch keeps connections alive.
    async connect() {},
    send,
    getDeliveryStatus,
    getCapabilities: () => capabilities,
    validateConfig,
    async close() {},
  };
}

interface MailgunEvent {
  event?: string;
  severity?: string;
  timestamp?: number;
}

/** The latest event that says something about delivery decides the status. */
function deliveryStatusOf(items: MailgunEvent[]): DeliveryStatus {
  const relevant = items
    .filter((e) => ['accepted', 'delivered', 'failed', 'rejected'].includes(e.event ?? ''))
    .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  const last = relevant.at(-1);
  if (!last) return 'unknown';
  if (last.event === 'delivered') return 'delivered';
  if (last.event === 'rejected') return 'bounced';
  if (last.event === 'failed') return last.severity === 'temporary' ? 'deferred' : 'bounced';
  return 'accepted';
}

/** Mailgun answers errors as `{"message": "..."}`, or as plain text ("Forbidden"). */
function providerWords(body: string): string {
  const parsed = parseJson(body) as { message?: unknown } | null;
  const words = typeof parsed?.message === 'string' ? parsed.message : body.trim();
  return (words || 'no explanation given').slice(0, 500);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

