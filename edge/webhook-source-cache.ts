// The saved sources of each relay's webhooks (`/api/relay-webhooks`), opened and parsed by
// the relay's module, cached per isolate so a burst of webhooks costs one read and one
// decryption per source. The API clears it when it changes a source.
import type { Database } from '../shared/db/database';
import type { WebhookProvider } from '../shared/feedback/delivery-event';
import type { SecretKeys } from '../shared/keyring';
import { relayWebhooksOf, type RelayWebhookRow } from '../shared/queries/relay-webhooks';
import { relayWebhookModules } from '../shared/webhooks/relay-webhook-modules';
import type { RelayWebhook, WebhookSource } from '../shared/webhooks/relay-webhook';
import { openSecrets } from './open-secrets';

/** How long an isolate keeps a provider's sources before reading them again (changes made through this isolate's API apply at once). */
export const SOURCE_CACHE_MS = 30_000;

export interface WebhookSourceCache {
  /** The provider's usable sources, opened and parsed by its module's schemas. */
  sources(provider: WebhookProvider): Promise<WebhookSource[]>;
  /** Forgets every cached source: called by the API after it changed one. */
  invalidate(): void;
}

/** Per-isolate cache of opened sources, so a burst of webhooks costs one read and one decryption per source. */
export function createWebhookSourceCache(db: Database, secretsKeys: SecretKeys, now: () => number = Date.now): WebhookSourceCache {
  const entries = new Map<WebhookProvider, { loadedAt: number; sources: Promise<WebhookSource[]> }>();
  return {
    sources(provider) {
      const at = now();
      const cached = entries.get(provider);
      if (cached && at - cached.loadedAt < SOURCE_CACHE_MS) return cached.sources;
      const sources = loadSources(db, secretsKeys, provider);
      entries.set(provider, { loadedAt: at, sources });
      // A failed read is not kept: the relay's retry reads again.
      sources.catch(() => {
        if (entries.get(provider)?.sources === sources) entries.delete(provider);
      });
      return sources;
    },
    invalidate() {
      entries.clear();
    },
  };
}

async function loadSources(db: Database, secretsKeys: SecretKeys, provider: WebhookProvider): Promise<WebhookSource[]> {
  const rows = await relayWebhooksOf(db, provider);
  const opened = await Promise.all(rows.map((row) => openSource(relayWebhookModules[provider], secretsKeys, row)));
  return opened.filter((source): source is WebhookSource => source !== null);
}

/** A row as its module expects it, or null (logged: field names only, never values) when it cannot be used. */
async function openSource(module: RelayWebhook, secretsKeys: SecretKeys, row: RelayWebhookRow): Promise<WebhookSource | null> {
  const { values, problem } = await openSecrets(secretsKeys, row.secrets);
  const config = module.settings.config.safeParse(row.config);
  const secrets = module.settings.secrets.safeParse(values);
  if (!problem && config.success && secrets.success) return { id: row.id, config: config.data, secrets: secrets.data };
  const fields = [...(config.error?.issues ?? []).map((i) => ['config', ...i.path].join('.')), ...(secrets.error?.issues ?? []).map((i) => ['secrets', ...i.path].join('.'))];
  const why = problem ?? `its saved settings no longer pass the ${module.provider} schema (${fields.join(', ')}); save them again with PATCH /api/relay-webhooks/${row.id}`;
  console.error(`relay webhook ${row.id} (${module.provider}) is skipped: ${why}`);
  return null;
}
