// Dashboard passwords: scrypt from @noble/hashes (audited, pure JS), because the edge runs
// in Workers too: WebCrypto there refuses PBKDF2 above 100,000 iterations (a sixth of what
// OWASP asks for), and workerd refuses to compile Wasm at run time, so hash-wasm's argon2id
// fails there. Pure-JS scrypt costs about 0.4 s of CPU a hash on a Xeon core.
//
// Stored as `scrypt$N$r$p$salt$hash` (salt and hash in base64url), so the parameters can
// rise later: a sign-in with weaker stored parameters rehashes (see needsRehash).
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { decodeBase64Url, encodeBase64Url } from './base64url';

export interface ScryptParams {
  /** CPU and memory cost: a power of two; memory is 128 · N · r bytes. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism: rounds run one after another here, so cost grows with p, memory does not. */
  p: number;
}

/**
 * OWASP's N=2^14, r=8, p=5: as strong as its N=2^17, p=1 but in 16 MiB instead of 128 MiB,
 * which is all the memory a Worker isolate has (and an isolate serves requests concurrently).
 */
export const PASSWORD_PARAMS: ScryptParams = { N: 2 ** 14, r: 8, p: 5 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1000;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
// A stored hash is trusted input, but a corrupt one must not ask for absurd work
// (noble's own maxmem, 1 GiB, bounds the memory).
const MAX_N = 2 ** 20;
const MAX_RP = 64;
// Yield to the event loop this often (ms), so a sign-in does not stall the other requests of the process.
const ASYNC_TICK_MS = 10;

/** Why `password` cannot be used for the account `email`, or null when it can. */
export function passwordProblem(password: string, email: string): string | null {
  const length = [...password.normalize('NFC')].length;
  if (length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'password must not be the account\'s email address';
  return null;
}

/** Hashes a password with fresh salt into the self-describing stored form. */
export async function hashPassword(password: string, params: ScryptParams = PASSWORD_PARAMS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, encodeBase64Url(salt), encodeBase64Url(hash)].join('$');
}

export interface PasswordCheck {
  ok: boolean;
  /** The password was right but stored with weaker parameters than `current`: store a new hash. */
  rehash: boolean;
}

/** Checks a password against a stored hash in constant time; throws when the stored value is not ours. */
export async function verifyPassword(password: string, stored: string, current: ScryptParams = PASSWORD_PARAMS): Promise<PasswordCheck> {
  const parsed = parseStored(stored);
  const actual = await derive(password, parsed.salt, parsed.params);
  const ok = equalBytes(actual, parsed.hash);
  return { ok, rehash: ok && needsRehash(parsed.params, current) };
}

/** True when `stored` parameters are weaker than `current` in memory (N·r) or in work (N·r·p). */
export function needsRehash(stored: ScryptParams, current: ScryptParams = PASSWORD_PARAMS): boolean {
  return stored.N * stored.r < current.N * current.r || stored.N * stored.r * stored.p < current.N * current.r * current.p;
}

/**
 * Spends the time of one verification and answers no, for sign-ins with an unknown address,
 * so the answer's timing does not tell which addresses have an account.
 */
export async function verifyNoPassword(password: string, params: ScryptParams = PASSWORD_PARAMS): Promise<false> {
  await derive(password, new Uint8Array(SALT_BYTES), params);
  return false;
}

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  // NFC, so a password typed on two systems that compose accents differently is one password.
  return scryptAsync(password.normalize('NFC'), salt, { ...params, dkLen: HASH_BYTES, asyncTick: ASYNC_TICK_MS });
}

function parseStored(stored: string): { params: ScryptParams; salt: Uint8Array; hash: Uint8Array } {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const saltBytes = decodeBase64Url(salt ?? '');
  const hashBytes = decodeBase64Url(hash ?? '');
  const valid =
    scheme === 'scrypt' &&
    rest.length === 0 &&
    Number.isInteger(params.N) && params.N > 1 && params.N <= MAX_N && (params.N & (params.N - 1)) === 0 &&
    Number.isInteger(params.r) && params.r >= 1 && params.r <= MAX_RP &&
    Number.isInteger(params.p) && params.p >= 1 && params.p <= MAX_RP &&
    saltBytes !== null && saltBytes.length >= 8 &&
    hashBytes !== null && hashBytes.length === HASH_BYTES;
  if (!valid) throw new Error('The stored password hash is not in the scrypt$N$r$p$salt$hash form: have an admin set a new password (PATCH /api/users/{id}).');
  return { params, salt: saltBytes!, hash: hashBytes! };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
