// The HTTP client for outgoing webhooks: it calls only public addresses, so an endpoint URL
// (which any admin can set) cannot reach the sender's own network: Redis, the database,
// cloud metadata at 169.254.169.254. The check runs on the address actually connected to
// (a custom DNS lookup), so a name that resolves to a public address when saved and to a
// private one later (DNS rebinding) is refused too. WEBHOOK_ALLOW_PRIVATE_NETWORKS turns it off.
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';
import type { EndpointFetch } from './call-endpoint';

/** The error code a refused address carries, shown on the delivery as `EADDRNOTPUBLIC: …`. */
export const NOT_PUBLIC = 'EADDRNOTPUBLIC';

/** True for a global unicast address: not private, loopback, link-local, CGNAT, reserved, or an IPv6 form that embeds one. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed instanceof ipaddr.IPv6) {
    // The deprecated IPv4-compatible form (::a.b.c.d) is "unicast" to ipaddr.js, but some
    // stacks still route it to the IPv4 address inside.
    if (parsed.parts.slice(0, 6).every((part) => part === 0)) return false;
    if (parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

function notPublic(what: string): Error {
  const error = new Error(`${what} is a private or local address; webhooks go only to public addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows others)`);
  return Object.assign(error, { code: NOT_PUBLIC });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, keeping only public addresses; net.connect calls it for every host name. */
function publicLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const allowed = addresses.filter((a) => isPublicAddress(a.address));
    if (allowed.length === 0) return callback(notPublic(`${hostname} (${addresses.map((a) => a.address).join(', ')})`), []);
    if (options.all) return callback(null, allowed);
    callback(null, allowed[0]!.address, allowed[0]!.family);
  });
}

/** A fetch that refuses private and local destinations, by address literal and by what names resolve to. */
export function createPublicNetworkFetch(): EndpointFetch {
  const dispatcher = new Agent({ connect: { lookup: publicLookup } });
  return async function publicNetworkFetch(input, init) {
    const url = new URL(input);
    // An address literal is connected to without a lookup, so it is checked here.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host) && !isPublicAddress(host)) throw new TypeError('fetch failed', { cause: notPublic(host) });
    // undici's own fetch takes the dispatcher; its Response is the same class as the global one.
    return (await undiciFetch(url, { ...(init as object), dispatcher })) as unknown as Response;
  };
}
