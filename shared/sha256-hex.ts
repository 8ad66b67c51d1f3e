// SHA-256 as lower-case hex, on WebCrypto: how tokens and rate-limit keys are stored.

/** The SHA-256 of the bytes, or of the UTF-8 text, as 64 hex digits. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
