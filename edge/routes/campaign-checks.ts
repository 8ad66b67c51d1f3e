// What a campaign must satisfy to be saved and to be sent, as API errors that say what to fix.
import { checkDriverSettings } from '../../shared/drivers/driver-config';
import { getDefaultSendingServer, getSendingServer } from '../../shared/queries/sending-servers';
import { compileCampaign, type CampaignSource } from '../../shared/render/compile-campaign';
import { TemplateError } from '../../shared/render/template-error';
import { SecretBoxError } from '../../shared/secret-box';
import { ApiError } from '../api-error';
import type { AppDeps } from '../deps';
import { requireListsExist } from './lists';
import { openSealedSecrets, secretKeysOf } from '../../shared/keyring';

// The API calls the field `from`; the renderer calls it `fromAddress`.
const API_FIELD: Record<string, string> = { fromAddress: 'from' };

export function createCampaignChecks(deps: AppDeps) {
  const { db } = deps;

  /** Lists and the sending servers named by a campaign exist (400 naming the field and every unknown id otherwise). */
  async function references(listIds: number[], servers: { id: number }[], field: 'sendingServers' | 'sendingServerId'): Promise<void> {
    await requireListsExist(db, listIds, 'lists');
    const missing: { index: number; id: number }[] = [];
    for (const [index, server] of servers.entries()) {
      if (!(await getSendingServer(db, server.id))) missing.push({ index, id: server.id });
    }
    if (missing.length === 0) return;
    const ids = missing.map((m) => m.id).join(', ');
    throw new ApiError(400, 'VALIDATION', `No sending server with id ${ids}; list them with GET /api/sending-servers.`,
      missing.map((m) => ({
        path: field === 'sendingServers' ? `sendingServers.${m.index}.id` : 'sendingServerId',
        message: `no sending server with id ${m.id}`,
      })),
    );
  }

  /** Subject, from and body compile (400 INVALID_TEMPLATE with each problem and its line otherwise). */
  async function compiles(source: CampaignSource): Promise<void> {
    try {
      await compileCampaign(
        {
          id: source.id,
          name: source.name,
          subject: source.subject,
          ...(source.preheader === undefined ? {} : { preheader: source.preheader }),
          fromAddress: source.fromAddress,
          format: source.format,
          body: source.body,
        },
        deps.mjml2html,
      );
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw invalidTemplate(err, 'campaign');
    }
  }

  /** Each of the campaign's own servers, or the default one, exists and has valid settings (409 otherwise). */
  async function sendingServer(campaign: { id: number; sendingServers: { id: number }[] }): Promise<void> {
    if (campaign.sendingServers.length === 0) return oneServer(await getDefaultSendingServer(db));
    for (const { id } of campaign.sendingServers) await oneServer(await getSendingServer(db, id));
  }

  async function oneServer(server: Awaited<ReturnType<typeof getSendingServer>>): Promise<void> {
    if (!server) {
      throw new ApiError(
        409,
        'NO_SENDING_SERVER',
        'There is no sending server to send through. Add one with POST /api/sending-servers (driver "smtp" for a relay, or "capture" to keep messages in the local inbox), then send again.',
      );
    }
    let secrets: Record<string, unknown> = {};
    try {
      if (server.secrets) secrets = await openSealedSecrets(secretKeysOf(deps.keyring), server.secrets);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      throw misconfigured(server.id, [{ path: 'secrets', message: err.message }]);
    }
    const checked = checkDriverSettings(server.driver, server.config, secrets);
    if (!checked.ok) throw misconfigured(server.id, checked.problems);
  }

  /** A scheduled campaign keeps what its send will need: a send time and a list (400 otherwise). */
  function stillSchedulable(sendAt: number | null, listIds: number[]): void {
    if (sendAt === null) {
      throw new ApiError(400, 'VALIDATION', 'A scheduled campaign needs a sendAt: set it to now to send at once, or cancel the campaign.', [
        { path: 'sendAt', message: 'must not be null while the campaign is scheduled' },
      ]);
    }
    if (listIds.length === 0) {
      throw new ApiError(400, 'VALIDATION', 'A scheduled campaign needs at least one list; to stop it, pause or cancel it.', [
        { path: 'lists', message: 'must not be empty while the campaign is scheduled' },
      ]);
    }
  }

  return { references, compiles, sendingServer, stillSchedulable };
}

/** A template that does not compile as the API's 400 INVALID_TEMPLATE, each problem on the field the API calls it, with its line. */
export function invalidTemplate(err: TemplateError, what: 'campaign' | 'template'): ApiError {
  const details = err.problems.map((p) => ({
    path: API_FIELD[p.field] ?? p.field,
    message: p.message,
    ...(p.line === undefined ? {} : { line: p.line }),
  }));
  return new ApiError(400, 'INVALID_TEMPLATE', `The ${what} does not compile: ${details.map(describe).join('; ')}`, details);
}

function describe(d: { path: string; message: string; line?: number }): string {
  return `${d.path}${d.line ? `, line ${d.line}` : ''}: ${d.message}`;
}

function misconfigured(serverId: number, problems: { path: string; message: string }[]) {
  return new ApiError(
    409,
    'ECONFIG',
    `Sending server ${serverId} has invalid settings (${problems.map(describe).join('; ')}); fix them with PATCH /api/sending-servers/${serverId}.`,
    problems,
  );
}
