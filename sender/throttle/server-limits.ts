// The limits the worker throttles a send by, read from the sending server's row once per
// settings version (its `updated_at`), like the drivers, so a send costs no extra query.
import type { Database } from '../../shared/db/database';
import { domainRatesSchema, rateSchema, type DomainRates, type Rate } from '../../shared/drivers/rate-limits';
import { getSendingServer } from '../../shared/queries/sending-servers';
import { SendError } from '../send-error';

export interface ServerLimits {
  /** The server's own rate; null: unlimited. */
  rate: Rate | null;
  /** Rates per recipient domain (lower case). */
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
    // Parsed again, as the API did on save: a row edited by hand must not throttle by garbage.
    const rate = rateSchema.nullable().safeParse(server.rate);
    const domainRates = domainRatesSchema.safeParse(server.domainRates);
    if (rate.success && domainRates.success) return { rate: rate.data, domainRates: domainRates.data };
    const problems = [...issuesOf('rate', rate.error), ...issuesOf('domainRates', domainRates.error)];
    throw new SendError('ECONFIG', `sending server ${serverId} has a bad rate: ${problems.join('; ')}`);
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

/** "domainRates.gmail.com.per: ..." for each issue of a failed parse. */
function issuesOf(field: string, error: { issues: { path: PropertyKey[]; message: string }[] } | undefined): string[] {
  return (error?.issues ?? []).map((i) => `${[field, ...i.path.map(String)].join('.')}: ${i.message}`);
}

/** The domain of an address, lower case: what per-domain rates are keyed by. */
export function recipientDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
