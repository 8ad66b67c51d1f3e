// The all-in-one start needs a SECRET_KEY: the one from the environment, or one generated
// on first start and kept in the data folder (readable by its owner only).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function localSecretKey(dataDir: string): { key: string; created: boolean } {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), created: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
