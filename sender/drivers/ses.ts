// Amazon SES through its API v2: SendEmail with our own MIME as raw content (so the
// Message-ID, List-Unsubscribe headers and our message id header go out as we built them),
// signed with AWS SigV4 by aws4fetch. The queue does the retrying, so requests are signed
// with aws4fetch and sent with plain fetch rather than its retrying client.
import { AwsClient } from 'aws4fetch';
import type { z } from 'zod';
import { sesEndpoint, type sesSettings } from '../../shared/drivers/ses-settings';
import { createMimeBuilder } from '../mime/build-mime';
import { SendError } from '../send-error';
import type { ConfigProblem, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { type HttpDriverDeps, fetchWithDeadline, retryAfterMs } from './http-request';
import { MESSAGE_ID_FIELD, MESSAGE_ID_HEADER } from '../../shared/drivers/message-marks';

export interface SesDriverOptions {
  config: z.output<typeof sesSettings.config>;
  secrets: z.output<typeof sesSettings.secrets>;
}

interface SesAnswer {
  status: number;
  type: string;
  message: string;
  body: Record<string, unknown>;
  headers: Headers;
}

/** SES error types that no message can get past until the marketer changes something. */
const ACCOUNT_ERRORS = new Set(['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException', 'NotFoundException']);

export function createSesDriver({ config, secrets }: SesDriverOptions, deps: HttpDriverDeps = {}): Driver {
  const base = (config.endpoint ?? sesEndpoint(config.region)).replace(/\/+$/, '');
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const signer = new AwsClient({
    accessKeyId: secrets.accessKeyId,
    secretAccessKey: secrets.secretAccessKey,
    ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}),
    service: 'ses',
    region: config.region,
  });
  const buildMime = createMimeBuilder();
  const capabilities: DriverCapabilities = {
    input: 'raw',
    batchSize: 1,
    // SES reports deliveries, bounces and complaints only through a configuration set.
    tracksDelivery: config.configurationSetName !== undefined,
    signsDkim: true,
    deliveryStatus: false,
  };

  /** One signed request to the SES API; network failures and timeouts become retryable SendErrors. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<SesAnswer> {
    // Signing is local work (no network), so it stays outside the deadline.
    const request = await signer.sign(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await fetchWithDeadline(doFetch, request, {}, 'SES', timeoutMs);
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { message: text.slice(0, 500) };
    }
    // REST-JSON errors name their type in x-amzn-ErrorType ("Type:http://…"), else in the body.
    const type = (response.headers.get('x-amzn-errortype') ?? String(parsed.__type ?? parsed.code ?? '')).split(':')[0]!.split('#').at(-1)!;
    const message = String(parsed.message ?? parsed.Message ?? text ?? '').trim();
    return { status: response.status, type, message, body: parsed, headers: response.headers };
  }

  function sendErrorOf(answer: SesAnswer): SendError {
    const words = `SES ${answer.status}${answer.type ? ` ${answer.type}` : ''}: ${answer.message || 'no message'}`;
    const retryAfter = retryAfterMs(answer.headers.get('retry-after'));
    if (ACCOUNT_ERRORS.has(answer.type)) return new SendError('ECONFIG', words, answer.status, 'http');
    const code = answer.status === 401 || answer.status === 403 ? 'EAUTH' : answer.status === 429 ? 'ERATELIMIT' : answer.status >= 500 ? 'ECONNECTION' : 'EMESSAGE';
    return new SendError(code, words, answer.status, 'http', retryAfter);
  }

  return {
    name: 'ses',
    async connect() {},
    async send(message: OutgoingMessage): Promise<SendResult> {
      const { raw, envelope } = buildMime({ ...message, headers: { ...message.headers, [MESSAGE_ID_HEADER]: String(message.messageId) } });
      const answer = await call('POST', '/v2/email/outbound-emails', {
        Destination: { ToAddresses: envelope.to },
        Content: { Raw: { Data: raw.toString('base64') } },
        EmailTags: [{ Name: MESSAGE_ID_FIELD, Value: String(message.messageId) }],
        ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
      });
      if (answer.status !== 200) throw sendErrorOf(answer);
      const id = typeof answer.body.MessageId === 'string' ? answer.body.MessageId : null;
      return { providerMessageId: id, response: `SES accepted the message${id ? ` as ${id}` : ''}` };
    },
    // SES has no per-message status API outside its paid deliverability dashboard.
    async getDeliveryStatus() {
      return null;
    },
    getCapabilities: () => capabilities,
    async validateConfig(): Promise<ConfigProblem[]> {
      try {
        const account = await call('GET', '/v2/email/account');
        if (account.status !== 200) return [problemOf(account, config.region)];
        const problems: ConfigProblem[] = [];
        if (account.body.SendingEnabled === false) {
          problems.push({ path: 'config.region', message: `sending is disabled for this AWS account in ${config.region}; enable it in the SES console` });
        }
        if (config.configurationSetName) {
          const set = await call('GET', `/v2/email/configuration-sets/${encodeURIComponent(config.configurationSetName)}`);
          if (set.status === 404) {
            problems.push({ path: 'config.configurationSetName', message: `configuration set "${config.configurationSetName}" does not exist in ${config.region}` });
          } else if (set.status !== 200) {
            problems.push(problemOf(set, config.region));
          }
        }
        return problems;
      } catch (err) {
        return [{ path: config.endpoint ? 'config.endpoint' : 'config.region', message: (err as Error).message }];
      }
    },
    async close() {},
  };
}

/** What a refused read means for the marketer, at the setting to fix. */
function problemOf(answer: SesAnswer, region: string): ConfigProblem {
  const said = `(SES ${answer.status} ${answer.type}: ${answer.message})`;
  switch (answer.type) {
    case 'SignatureDoesNotMatch':
      return { path: 'secrets.secretAccessKey', message: `the secret access key was refused by SES: it does not belong to this access key id ${said}` };
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return { path: 'secrets.accessKeyId', message: `the access key id was refused by SES in ${region}: AWS does not know it ${said}` };
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return { path: 'secrets.sessionToken', message: `the session token has expired; save fresh temporary credentials ${said}` };
    case 'AccessDeniedException':
      return { path: 'secrets.accessKeyId', message: `the credentials work but may not use SES: allow ses:GetAccount and ses:SendEmail for this IAM user ${said}` };
    default:
      return { path: answer.status === 401 || answer.status === 403 ? 'secrets.accessKeyId' : 'config.region', message: `SES refused the check ${said}` };
  }
}

