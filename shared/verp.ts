// VERP return paths: `<local>+<messageId>-<mac>@<domain>`. A bounce that comes back to
// this address names its message, and the MAC stops anyone from forging bounces that
// would suppress a subscriber.
import type { Keys } from './keys';
import { constantTimeEqual } from './tokens';

export type VerpKeys = Pick<Keys, 'signVerp'>;

const encoder = new TextEncoder();
const MAC_BYTES = 6;

function verpMac(keys: VerpKeys, messageId: number): string {
  const mac = keys.signVerp(`verp:${messageId}`);
  // Lower-case hex: some MTAs lower-case the local part.
  return [...mac.subarray(0, MAC_BYTES)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The envelope sender for one message, e.g. `bounces+42-1a2b3c4d5e6f@mail.example.com`. */
export function verpAddress(keys: VerpKeys, bounceAddress: string, messageId: number): string {
  const at = bounceAddress.lastIndexOf('@');
  return `${bounceAddress.slice(0, at)}+${messageId}-${verpMac(keys, messageId)}${bounceAddress.slice(at)}`;
}

/** The message id a genuine VERP address names, or null for anything else; a keyring accepts addresses made under any of its keys. */
export function parseVerpAddress(keys: VerpKeys | readonly VerpKeys[], address: string): number | null {
  const match = /\+([1-9][0-9]{0,15})-([0-9a-f]{12})@/i.exec(address);
  if (!match) return null;
  const messageId = Number(match[1]);
  const given = encoder.encode(match[2]!.toLowerCase());
  for (const each of Array.isArray(keys) ? (keys as readonly VerpKeys[]) : [keys as VerpKeys]) {
    if (constantTimeEqual(encoder.encode(verpMac(each, messageId)), given)) return messageId;
  }
  return null;
}
