// SHA-256 as lower-case hex, on WebCrypto: how tokens and rate-limit keys are stored.

/** The SHA-256 of the UTF-8 text, as 64 hex digits. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
