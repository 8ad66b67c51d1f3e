// SECRET_KEY and SECRET_KEY_PREVIOUS: their rules, without zod. The config schemas
// (shared/config.ts) check with these, and the tracking Worker, whose bundle holds no zod
// (it would be most of its size and of its cold start), parses its configuration with
// parseSecretKeys alone.

export const SECRET_KEY_MIN_LENGTH = 32;
export const SECRET_KEY_TOO_SHORT = `SECRET_KEY must be at least ${SECRET_KEY_MIN_LENGTH} characters (try: openssl rand -base64 32)`;
export const PREVIOUS_KEY_TOO_SHORT = `each key in SECRET_KEY_PREVIOUS must be at least ${SECRET_KEY_MIN_LENGTH} characters (separate several with commas)`;

/** SECRET_KEY_PREVIOUS's keys: comma-separated, trimmed, empty entries dropped. */
export function splitPreviousKeys(value: string | undefined): string[] {
  return (value ?? '').split(',').map((key) => key.trim()).filter((key) => key.length > 0);
}

export interface SecretKeyConfig {
  SECRET_KEY: string;
  SECRET_KEY_PREVIOUS: string[];
}

/** The two variables from `env`, or one error in parseConfig's form that names each to fix (never a value). */
export function parseSecretKeys(env: { SECRET_KEY?: unknown; SECRET_KEY_PREVIOUS?: unknown }): SecretKeyConfig {
  const problems: string[] = [];
  const current = env.SECRET_KEY;
  if (typeof current !== 'string') problems.push('SECRET_KEY: required (the main Worker\'s value)');
  else if (current.length < SECRET_KEY_MIN_LENGTH) problems.push(`SECRET_KEY: ${SECRET_KEY_TOO_SHORT}`);
  const previous = env.SECRET_KEY_PREVIOUS;
  if (previous !== undefined && typeof previous !== 'string') problems.push('SECRET_KEY_PREVIOUS: must be text');
  const retired = splitPreviousKeys(typeof previous === 'string' ? previous : undefined);
  if (retired.some((key) => key.length < SECRET_KEY_MIN_LENGTH)) problems.push(`SECRET_KEY_PREVIOUS: ${PREVIOUS_KEY_TOO_SHORT}`);
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { SECRET_KEY: current as string, SECRET_KEY_PREVIOUS: retired };
}
