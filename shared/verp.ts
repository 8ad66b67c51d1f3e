// VERP return paths: `<local>+<messageId>-<mac>@<domain>`. A bounce that comes back to
// this address names its message, and the MAC stops anyone from forging bounces that
// would suppress a subscriber.
import { constantTimeEqual } from './tokens';

const encoder = new TextEncoder();
const MAC_BYTES = 6;

async function verpMac(key: CryptoKey, messageId: number): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`verp:${messageId}`)));
  // Lower-case hex: some MTAs lower-case the local part.
  return [...mac.subarray(0, MAC_BYTES)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The envelope sender for one message, e.g. `bounces+42-1a2b3c4d5e6f@mail.example.com`. */
export async function verpAddress(key: CryptoKey, bounceAddress: string, messageId: number): Promise<string> {
  const at = bounceAddress.lastIndexOf('@');
  return `${bounceAddress.slice(0, at)}+${messageId}-${await verpMac(key, messageId)}${bounceAddress.slice(at)}`;
}

/** The message id a genuine VERP address names, or null for anything else. */
export async function parseVerpAddress(key: CryptoKey, address: string): Promise<number | null> {
  const match = /\+([1-9][0-9]{0,15})-([0-9a-f]{12})@/i.exec(address);
  if (!match) return null;
  const messageId = Number(match[1]);
  const expected = encoder.encode(await verpMac(key, messageId));
  return constantTimeEqual(expected, encoder.encode(match[2]!.toLowerCase())) ? messageId : null;
}
