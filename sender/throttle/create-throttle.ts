// The shared throttle: asks Redis, in one atomic script, whether one more message may go
// through a sending server (and to a recipient domain) now, or how long to wait. Callers
// never poll: they wait the answer out (the worker delays the job) and ask again.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { periodMsOf, rateSchema, type Rate } from '../../shared/drivers/rate-limits';
import { GCRA_SCRIPT } from './gcra-script';

export type ThrottleAnswer =
  /** Go now. `atUs`: the Redis clock at the grant, in µs (for measuring). */
  | { ok: true; atUs: number }
  /** Ask again in `waitMs`. */
  | { ok: false; waitMs: number };

export interface Throttle {
  /** One send through `serverId` (to `domain`): go now, or wait. A null rate is no limit. */
  acquire(serverId: number | string, rate: Rate | null, domain?: string, domainRate?: Rate | null): Promise<ThrottleAnswer>;
}

export interface ThrottleOptions {
  /** Any connection for ordinary commands; the throttle never blocks on it. */
  connection: Redis;
  /** Key prefix, e.g. `edgepost:throttle`; containers that share a limit share the prefix. */
  prefix: string;
}

const SCRIPT_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

export function createThrottle({ connection, prefix }: ThrottleOptions): Throttle {
  async function runScript(keys: string[], args: number[]): Promise<[number, number]> {
    try {
      return (await connection.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args)) as [number, number];
    } catch (err) {
      // First use on this Redis, or after a restart or SCRIPT FLUSH: send the body (which also caches it).
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return (await connection.eval(GCRA_SCRIPT, keys.length, ...keys, ...args)) as [number, number];
    }
  }

  return {
    acquire: async function acquire(serverId, rate, domain, domainRate) {
      const keys: string[] = [];
      const args: number[] = [];
      // The hash tag keeps a server's keys in one Redis Cluster slot, as one script needs.
      const server = `${prefix}:{server:${checkId(serverId)}}`;
      if (rate) {
        const { count } = checkRate(rate, 'rate');
        keys.push(server, `${server}:log`);
        args.push(count, periodMsOf(rate));
      }
      if (domainRate) {
        if (!domain) throw new TypeError('acquire: a domainRate needs the recipient domain');
        const { count } = checkRate(domainRate, 'domainRate');
        const key = `${server}:domain:${encodeURIComponent(domain.toLowerCase())}`;
        keys.push(key, `${key}:log`);
        args.push(count, periodMsOf(domainRate));
      }
      if (keys.length === 0) return { ok: true, atUs: Date.now() * 1_000 };
      const [go, value] = await runScript(keys, args);
      return go === 1 ? { ok: true, atUs: value } : { ok: false, waitMs: value };
    },
  };
}

function checkId(serverId: number | string): string {
  const id = String(serverId);
  // Keys are built from it: refuse anything that could run into another key's name.
  if (!/^[\w.-]{1,100}$/.test(id)) throw new TypeError(`acquire: serverId must be letters, digits, "_", "." or "-", got "${id}"`);
  return id;
}

function checkRate(rate: Rate, field: string): Rate {
  const parsed = rateSchema.safeParse(rate);
  if (!parsed.success) throw new TypeError(`acquire: ${field} is not a rate: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
