// The client's IP address and network, for sign-in rate limiting and for telling people
// from machines (never stored, never logged). Each host says it its own way: on Node,
// @hono/node-server passes the socket as `c.env.incoming` (or `c.env.server.incoming`, the
// two places its getConnInfo reads); on Workers, Cloudflare sets `CF-Connecting-IP` and
// overwrites any value the client sent. The Node host never trusts that header.
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
  server?: NodeBindings;
}

/** The client's IP address, or null when the host does not say (a bare `app.request` in tests). */
export function clientAddress(c: Context): string | null {
  const env = c.env as NodeBindings | undefined;
  const bindings = env?.server ?? env;
  if (bindings?.incoming) return bindings.incoming.socket?.remoteAddress ?? null;
  return c.req.header('cf-connecting-ip') ?? null;
}

/**
 * The network an address belongs to, as a rate-limit key: an IPv4 /24, or an IPv6 /56
 * (what one customer usually gets, so one attacker cannot rotate through their own
 * addresses). IPv4-mapped IPv6 (`::ffff:192.0.2.1`, as Node reports IPv4 on a dual-stack
 * socket) counts as IPv4. Anything unreadable shares the key `unknown`.
 */
export function clientNetwork(address: string | null): string {
  if (!address) return 'unknown';
  const mapped = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(address);
  if (mapped) return `${mapped[1]}.${mapped[2]}.${mapped[3]}.0/24`;
  const groups = expandIpv6(address);
  if (!groups) return 'unknown';
  const prefix = [...groups.slice(0, 3), groups[3]! & 0xff00].map((g) => g.toString(16)).join(':');
  return `${prefix}::/56`;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null. */
function expandIpv6(address: string): number[] | null {
  const text = address.replace(/%.*$/, '').toLowerCase();
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}
