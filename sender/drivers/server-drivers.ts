// One driver per sending server, built from its saved settings on first use and kept (so
// SMTP pools and parsed keys are reused); rebuilt when the server's settings change.
import { eq } from 'drizzle-orm';
import type { Database } from '../../shared/db/database';
import { sendingServers } from '../../shared/db/schema';
import { checkDriverSettings, type DriverName } from '../../shared/drivers/driver-config';
import { openSealedSecrets, type SecretKeys } from '../../shared/keyring';
import { SendError } from '../send-error';
import type { Driver } from './driver';
import { driverFactories } from './driver-factories';

export interface ServerDrivers {
  /** The driver for a server, as of the given settings version (its `updated_at`). */
  get(serverId: number, version: number): Promise<Driver>;
  close(): Promise<void>;
}

/** `secretsKeys`: the keyring's secrets keys, current first, so servers saved under a retired SECRET_KEY still send. */
export function createServerDrivers(db: Database, secretsKeys: SecretKeys): ServerDrivers {
  const built = new Map<number, { version: number; driver: Promise<Driver> }>();

  async function build(serverId: number): Promise<Driver> {
    const [server] = await db.select().from(sendingServers).where(eq(sendingServers.id, serverId));
    if (!server) throw new SendError('ECONFIG', `sending server ${serverId} no longer exists`);
    const secrets = server.secrets
      ? await openSealedSecrets(secretsKeys, server.secrets).catch(() => {
          throw new SendError('ECONFIG', `the secrets of sending server "${server.name}" cannot be decrypted: was SECRET_KEY changed? Put the old one in SECRET_KEY_PREVIOUS, or save the secrets again.`);
        })
      : {};
    // Settings were checked when saved; checking again catches rows written by older versions.
    const settings = checkDriverSettings(server.driver, server.config, secrets);
    if (!settings.ok) {
      const problems = settings.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      throw new SendError('ECONFIG', `sending server "${server.name}" is misconfigured: ${problems}`);
    }
    // checkDriverSettings accepted the name and parsed the settings with that driver's schema.
    const factory = driverFactories[server.driver as DriverName] as (settings: { config: unknown; secrets: unknown }, db: Database) => Driver;
    return factory({ config: settings.config, secrets: settings.secrets }, db);
  }

  return {
    get: function getServerDriver(serverId, version) {
      const entry = built.get(serverId);
      if (entry && entry.version === version) return entry.driver;
      if (entry) void entry.driver.then((d) => d.close()).catch(() => {});
      const driver = build(serverId);
      driver.catch(() => built.delete(serverId));
      built.set(serverId, { version, driver });
      return driver;
    },
    async close() {
      const drivers = await Promise.allSettled([...built.values()].map((e) => e.driver));
      built.clear();
      await Promise.all(drivers.map((d) => (d.status === 'fulfilled' ? d.value.close() : undefined)));
    },
  };
}
