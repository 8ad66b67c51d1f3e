// The contract every `npm run cli -- <command>` implements, and what it may touch: the
// environment and two output streams, passed in so a test can run a command in-process.
import type { z } from 'zod';
import { parseConfig } from '../shared/config';

export interface CommandIo {
  env: Record<string, string | undefined>;
  /** Results a script may capture (e.g. a new API key). */
  out(line: string): void;
  /** Messages for the person at the terminal. */
  err(line: string): void;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** How to call it, shown on a usage error. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** A mistake in how the command was called: shown with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses only the variables a command needs, so e.g. `migrate` works without SECRET_KEY. */
export function commandConfig<T extends z.ZodType>(schema: T, io: CommandIo): z.infer<T> {
  return parseConfig(schema, io.env);
}
