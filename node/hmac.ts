// Node's HMAC-SHA-256 for deriveKeys: the key imported once, the text hashed as UTF-8 by
// OpenSSL. About 3 µs a token, where WebCrypto's async sign costs several times that.
import { createHmac, createSecretKey } from 'node:crypto';
import type { HmacSha256 } from '../shared/keys';

export const nodeHmacSha256: HmacSha256 = (key) => {
  const secret = createSecretKey(key);
  return (text) => createHmac('sha256', secret).update(text, 'utf8').digest();
};
