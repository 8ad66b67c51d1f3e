// Any SMTP relay, through nodemailer's pooled transport: connections are opened once and
// reused for many messages. We build the MIME ourselves (sender/mime) and hand nodemailer
// only the bytes and the envelope: its composer was the largest cost of a send.
import { createTransport, type SMTPPoolOptions, type Transporter } from 'nodemailer';
import type { DriverConfig, DriverSecrets } from '../../shared/drivers/driver-config';
import { createMimeBuilder } from '../mime/build-mime';
import type { ConfigProblem, Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';

export interface SmtpDriverOptions {
  config: DriverConfig<'smtp'>;
  secrets: DriverSecrets<'smtp'>;
}

const capabilities: DriverCapabilities = {
  input: 'raw',
  batchSize: 1,
  tracksDelivery: false,
  signsDkim: false,
  deliveryStatus: false,
};

export function createSmtpDriver({ config, secrets }: SmtpDriverOptions): Driver {
  return createSmtpTransportDriver({
    name: 'smtp',
    transport: {
      host: config.host,
      port: config.port,
      secure: config.security === 'tls',
      requireTLS: config.security === 'starttls',
      ignoreTLS: config.security === 'none',
      maxConnections: config.poolSize ?? 5,
      ...(secrets.user ? { auth: { user: secrets.user, pass: secrets.pass ?? '' } } : {}),
    },
  });
}

export interface SmtpTransportDriverOptions {
  name: string;
  /** nodemailer's pool options: host, port, TLS mode, auth (login or OAuth2), pool size. */
  transport: SMTPPoolOptions;
  /** Turns a failed verify into a problem the marketer can fix; by default the login or the host. */
  explainVerifyError?: (err: { code?: string; message?: string }) => ConfigProblem;
}

/** A driver over nodemailer's pooled SMTP transport: the code every SMTP-speaking driver shares. */
export function createSmtpTransportDriver({ name, transport: options, explainVerifyError }: SmtpTransportDriverOptions): Driver {
  const transport: Transporter = createTransport({
    maxMessages: Infinity,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    ...options,
    pool: true,
  });
  const explain =
    explainVerifyError ??
    ((e) => ({ path: e.code === 'EAUTH' ? 'secrets' : 'config.host', message: `${options.host}:${options.port}: ${e.message ?? String(e)}` }));
  const buildMime = createMimeBuilder();

  return {
    name,
    async connect() {
      await transport.verify();
    },
    async send(message: OutgoingMessage): Promise<SendResult> {
      const { raw, envelope } = buildMime(message);
      const info = await transport.sendMail({ envelope, raw });
      const response = String(info.response ?? '');
      // Most MTAs name their queue id in the 250 reply ("250 2.0.0 Ok: queued as 4Xyz").
      const queued = /queued as ([A-Za-z0-9._-]+)/i.exec(response);
      return { providerMessageId: queued?.[1] ?? null, response };
    },
    async getDeliveryStatus() {
      return null;
    },
    getCapabilities: () => capabilities,
    async validateConfig(): Promise<ConfigProblem[]> {
      try {
        await transport.verify();
        return [];
      } catch (err) {
        return [explain(err as { code?: string; message?: string })];
      }
    },
    async close() {
      transport.close();
    },
  };
}
