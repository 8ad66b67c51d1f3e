// Which of a campaign's servers a message goes through: one of those not cooling off, by
// weight. A server that refuses connections (or cannot send at all) is marked down in Redis
// for a short cool-off, so every sender container skips it at once, not each after its own
// failures. The mark names the server's settings version: saving new settings clears it.
import type { Redis } from 'ioredis';

export interface ChoosableServer {
  id: number;
  version: number;
  weight: number;
}

/** `down`: refused connections, try again after the cool-off; `halt`: cannot send as set up (auth, config). */
export type DownKind = 'down' | 'halt';

export interface DownMark {
  kind: DownKind;
  /** How long until the mark lapses. */
  remainingMs: number;
}

export interface ServerHealth {
  /** The marks of the given servers that are down now, by server id. */
  marks(servers: ChoosableServer[]): Promise<Map<number, DownMark>>;
  /** Marks a server down (or halted) for the cool-off, for every container. */
  markDown(server: ChoosableServer, kind: DownKind): Promise<void>;
}

export interface ServerHealthOptions {
  connection: Redis;
  /** Key prefix, e.g. `<queue prefix>:server-down`. */
  prefix: string;
  /** How long a failing server is skipped. */
  cooloffMs: number;
}

export function createServerHealth(options: ServerHealthOptions): ServerHealth {
  const { connection, prefix, cooloffMs } = options;
  const keyOf = (server: ChoosableServer) => `${prefix}:${server.id}:${server.version}`;

  async function marks(servers: ChoosableServer[]): Promise<Map<number, DownMark>> {
    const pipeline = connection.pipeline();
    for (const server of servers) pipeline.get(keyOf(server)).pttl(keyOf(server));
    const answers = (await pipeline.exec()) ?? [];
    const down = new Map<number, DownMark>();
    servers.forEach((server, i) => {
      const [kindErr, kind] = answers[2 * i] ?? [];
      const [ttlErr, ttl] = answers[2 * i + 1] ?? [];
      if (kindErr || ttlErr) throw kindErr ?? ttlErr;
      if (kind !== 'down' && kind !== 'halt') return;
      // A mark without expiry cannot come from markDown; treat it as a full cool-off.
      down.set(server.id, { kind, remainingMs: typeof ttl === 'number' && ttl > 0 ? ttl : cooloffMs });
    });
    return down;
  }

  async function markDown(server: ChoosableServer, kind: DownKind): Promise<void> {
    // A halt outranks a plain "down": never downgrade it, so "every server halts" can be seen.
    if (kind === 'down') await connection.set(keyOf(server), kind, 'PX', cooloffMs, 'NX');
    else await connection.set(keyOf(server), kind, 'PX', cooloffMs);
  }

  return { marks, markDown };
}

/** Picks one server by weight; null when there is none to pick. `random` returns [0, 1). */
export function pickServer<T extends { weight: number }>(servers: T[], random: () => number = Math.random): T | null {
  const total = servers.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0) return null;
  let point = random() * total;
  for (const server of servers) {
    point -= server.weight;
    if (point < 0) return server;
  }
  return servers[servers.length - 1] ?? null;
}
