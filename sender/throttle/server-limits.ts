// The limits the worker throttles a send by, read from the sending server's row once per
// settings version (its `updated_at`), like the drivers, so a send costs no extra query.
import type { Database } from '../../shared/db/database';
import { rateFromPerSecond, type DomainRates, type Rate } from '../../shared/drivers/rate-limits';
import { getSendingServer } from '../../shared/queries/sending-servers';

export interface ServerLimits {
  /** The server's own rate; null: unlimited. */
  rate: Rate | null;
  /** Rates per recipient domain (lower case). Empty until the schema stores them. */
  domainRates: DomainRates;
}

export interface ServerLimitsCache {
  /** The limits of a server as of the given settings version. */
  get(serverId: number, version: number): Promise<ServerLimits>;
}

const NO_LIMITS: ServerLimits = { rate: null, domainRates: {} };

export function createServerLimits(db: Database): ServerLimitsCache {
  const cached = new Map<number, { version: number; limits: Promise<ServerLimits> }>();

  async function load(serverId: number): Promise<ServerLimits> {
    const server = await getSendingServer(db, serverId);
    // A deleted server has no limits; its driver lookup fails the send with ECONFIG.
    if (!server) return NO_LIMITS;
    return { rate: server.ratePerSecond ? rateFromPerSecond(server.ratePerSecond) : null, domainRates: {} };
  }

  return {
    get: function getServerLimits(serverId, version) {
      const entry = cached.get(serverId);
      if (entry && entry.version === version) return entry.limits;
      const limits = load(serverId);
      limits.catch(() => cached.delete(serverId));
      cached.set(serverId, { version, limits });
      return limits;
    },
  };
}

/** The domain of an address, lower case: what per-domain rates are keyed by. */
export function recipientDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
