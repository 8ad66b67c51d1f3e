// Any SMTP relay, through our own pooled SMTP client (sender/smtp): connections are opened
// once and reused for many messages. We build the MIME ourselves (sender/mime) and the
// client writes those bytes to the socket in one go. With DKIM settings, each message is
// signed after it is built, with a key parsed once per driver.
import type { DriverConfig, DriverSecrets } from '../../shared/drivers/driver-config';
import { createMimeBuilder } from '../mime/build-mime';
import { parseDkimPrivateKey } from '../mime/dkim-key';
import { createDkimSigner, type DkimSign } from '../mime/dkim-sign';
import { SendError } from '../send-error';
import { createSmtpPool, type SmtpPoolOptions } from '../smtp/smtp-pool';
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
  return createPooledSmtpDriver({
    name: 'smtp',
    dkim: smtpDkim(config, secrets),
    pool: {
      host: config.host,
      port: config.port,
      security: config.security,
      maxConnections: config.poolSize ?? 5,
      pipelining: config.pipelining !== 'off',
      ...(secrets.user ? { credentials: { user: secrets.user, pass: secrets.pass ?? '' } } : {}),
    },
  });
}

export interface PooledSmtpDriverOptions {
  name: string;
  /** The SMTP pool: host, port, security mode, credentials (password or OAuth2), pool size, timeouts. */
  pool: SmtpPoolOptions;
  /** Turns a failed verify into a problem the marketer can fix; by default the login or the host. */
  explainVerifyError?: (err: { code?: string; message?: string }) => ConfigProblem;
  /** DKIM signing of each built message, or the problem that keeps it from signing. */
  dkim?: DkimSetup;
}

/** A signer built once per driver (the key parsed once), or why none could be built. */
export type DkimSetup = { sign: DkimSign } | { problem: ConfigProblem };

/** The smtp driver's DKIM from its settings: none, a signer, or the setting to fix. */
export function smtpDkim(config: DriverConfig<'smtp'>, secrets: DriverSecrets<'smtp'>): DkimSetup | undefined {
  // Settings are checked field by field; these two only make sense together.
  if (!config.dkim && secrets.dkimPrivateKey === undefined) return undefined;
  if (!config.dkim) return { problem: { path: 'config.dkim', message: 'dkim { domainName, keySelector } is required when the secret dkimPrivateKey is set' } };
  if (secrets.dkimPrivateKey === undefined) return { problem: { path: 'secrets.dkimPrivateKey', message: 'dkimPrivateKey (a PEM private key) is required when dkim is set' } };
  const key = parseDkimPrivateKey(secrets.dkimPrivateKey);
  if (!key.ok) return { problem: { path: 'secrets.dkimPrivateKey', message: key.message } };
  try {
    return { sign: createDkimSigner({ ...config.dkim, privateKey: key.key }).sign };
  } catch (err) {
    return { problem: { path: 'config.dkim', message: (err as Error).message } };
  }
}

/** A driver over the pooled SMTP client: the code every SMTP-speaking driver shares. */
export function createPooledSmtpDriver({ name, pool: options, explainVerifyError, dkim }: PooledSmtpDriverOptions): Driver {
  const pool = createSmtpPool(options);
  const explain =
    explainVerifyError ??
    ((e) => ({ path: e.code === 'EAUTH' ? 'secrets' : 'config.host', message: `${options.host}:${options.port}: ${e.message ?? String(e)}` }));
  const dkimProblem = dkim && 'problem' in dkim ? dkim.problem : null;
  const signDkim = dkim && 'sign' in dkim ? dkim.sign : null;
  const buildMime = createMimeBuilder({ relaxedBodyHash: signDkim !== null });
  const driverCapabilities: DriverCapabilities = { ...capabilities, signsDkim: signDkim !== null };

  /** A driver whose DKIM settings are wrong sends nothing: unsigned mail would fail DMARC. */
  function refuseMisconfigured(): void {
    if (dkimProblem) throw new SendError('ECONFIG', `${dkimProblem.path}: ${dkimProblem.message}`);
  }

  return {
    name,
    async connect() {
      refuseMisconfigured();
      await pool.verify();
    },
    async send(message: OutgoingMessage): Promise<SendResult> {
      refuseMisconfigured();
      const built = buildMime(message);
      const raw = signDkim ? await signDkim(built) : built.raw;
      const { response } = await pool.send(built.envelope, raw);
      // Most MTAs name their queue id in the 250 reply ("250 2.0.0 Ok: queued as 4Xyz").
      const queued = /queued as ([A-Za-z0-9._-]+)/i.exec(response);
      return { providerMessageId: queued?.[1] ?? null, response };
    },
    async getDeliveryStatus() {
      return null;
    },
    getCapabilities: () => driverCapabilities,
    async validateConfig(): Promise<ConfigProblem[]> {
      const problems = dkimProblem ? [dkimProblem] : [];
      try {
        await pool.verify();
        return problems;
      } catch (err) {
        return [...problems, explain(err as { code?: string; message?: string })];
      }
    },
    async close() {
      await pool.close();
    },
  };
}
