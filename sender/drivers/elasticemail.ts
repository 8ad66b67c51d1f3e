// Elastic Email through its REST API v4. v4 has no raw-MIME send, so each message goes to
// the transactional endpoint as fields (both parts, subject, from) with our own headers
// (Message-ID, List-Unsubscribe, our message id) in `Headers` and our message id again as
// `Postback`, which Elastic Email hands back in its notifications. Its own open and click
// tracking is turned off: our links and pixel are already in the message.
import type { z } from 'zod';
import { elasticEmailApi, type elasticEmailSettings } from '../../shared/drivers/elasticemail-settings';
import { checkMessage } from '../mime/check-message';
import { SendError } from '../send-error';
import type { ConfigProblem, DeliveryStatus, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { type HttpDriverDeps, fetchWithDeadline, retryAfterMs } from './http-request';
import { MESSAGE_ID_HEADER } from '../../shared/drivers/message-marks';

export interface ElasticEmailDriverOptions {
  config: z.output<typeof elasticEmailSettings.config>;
  secrets: z.output<typeof elasticEmailSettings.secrets>;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  message: string;
  headers: Headers;
}

const capabilities: DriverCapabilities = {
  input: 'structured',
  batchSize: 1,
  tracksDelivery: true,
  signsDkim: true,
  deliveryStatus: true,
};

export function createElasticEmailDriver({ config, secrets }: ElasticEmailDriverOptions, deps: HttpDriverDeps = {}): Driver {
  const base = (config.endpoint ?? elasticEmailApi).replace(/\/+$/, '');
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 30_000;

  /** One request to the API; network failures and timeouts become retryable SendErrors. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const response = await fetchWithDeadline(doFetch, `${base}${path}`, {
      method,
      headers: { 'X-ElasticEmail-ApiKey': secrets.apiKey, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }, 'Elastic Email', timeoutMs);
    const text = await response.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { Error: text.slice(0, 500) };
    }
    const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const message = String(fields.Error ?? fields.error ?? fields.Message ?? fields.message ?? (typeof parsed === 'string' ? parsed : '')).trim();
    return { status: response.status, body: fields, message, headers: response.headers };
  }

  return {
    name: 'elasticemail',
    async connect() {},
    async send(message: OutgoingMessage): Promise<SendResult> {
      const { from, to } = checkMessage(message);
      const body = [
        ...(message.html === null ? [] : [{ ContentType: 'HTML', Content: message.html, Charset: 'utf-8' }]),
        { ContentType: 'PlainText', Content: message.text, Charset: 'utf-8' },
      ];
      const answer = await call('POST', '/emails/transactional', {
        Recipients: { To: [message.to] },
        Content: {
          Body: body,
          From: message.from,
          Subject: message.subject,
          Headers: { ...message.headers, 'Message-ID': message.messageIdHeader, [MESSAGE_ID_HEADER]: String(message.messageId) },
          Postback: String(message.messageId),
        },
        Options: {
          TrackOpens: false,
          TrackClicks: false,
          ...(config.channelName ? { ChannelName: config.channelName } : {}),
          ...(config.poolName ? { PoolName: config.poolName } : {}),
        },
      });
      if (answer.status < 200 || answer.status > 299) throw sendErrorOf(answer, `${from.address} → ${to.address}`);
      // One recipient per request, so the transaction is this message: the status API asks by it.
      const transaction = typeof answer.body.TransactionID === 'string' ? answer.body.TransactionID : null;
      const id = typeof answer.body.MessageID === 'string' ? answer.body.MessageID : null;
      return { providerMessageId: transaction ?? id, response: `Elastic Email accepted the message${id ? ` as ${id}` : ''}${transaction ? ` (transaction ${transaction})` : ''}` };
    },
    async getDeliveryStatus(transactionId: string): Promise<DeliveryStatus | null> {
      const answer = await call('GET', `/emails/${encodeURIComponent(transactionId)}/status`);
      if (answer.status === 404) return 'unknown';
      if (answer.status !== 200) throw sendErrorOf(answer, `status of ${transactionId}`);
      const count = (name: string) => (typeof answer.body[name] === 'number' ? (answer.body[name] as number) : 0);
      if (count('FailedCount') > 0) return 'bounced';
      if (count('DeliveredCount') > 0) return 'delivered';
      if (count('SentCount') > 0 || count('PendingCount') > 0) return 'accepted';
      return 'unknown';
    },
    getCapabilities: () => capabilities,
    async validateConfig(): Promise<ConfigProblem[]> {
      // Statistics of the last day: a cheap authenticated read that sends nothing.
      const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19);
      try {
        const answer = await call('GET', `/statistics?from=${encodeURIComponent(from)}`);
        if (answer.status === 200) return [];
        const said = `(Elastic Email ${answer.status}: ${answer.message || 'no message'})`;
        if (answer.status === 401) return [{ path: 'secrets.apiKey', message: `the API key was refused by Elastic Email (401) ${said}` }];
        if (answer.status === 403) {
          return [{ path: 'secrets.apiKey', message: `the API key lacks an access level Edgepost needs: give it SendHttp and ViewReports (403) ${said}` }];
        }
        return [{ path: config.endpoint ? 'config.endpoint' : 'secrets.apiKey', message: `Elastic Email refused the check ${said}` }];
      } catch (err) {
        return [{ path: config.endpoint ? 'config.endpoint' : 'secrets.apiKey', message: (err as Error).message }];
      }
    },
    async close() {},
  };
}

function sendErrorOf(answer: Answer, what: string): SendError {
  const words = `Elastic Email ${answer.status}: ${answer.message || 'no message'} (${what})`;
  const code = answer.status === 401 || answer.status === 403 ? 'EAUTH' : answer.status === 429 ? 'ERATELIMIT' : answer.status >= 500 ? 'ECONNECTION' : 'EMESSAGE';
  return new SendError(code, words, answer.status, 'http', retryAfterMs(answer.headers.get('retry-after')));
}

