// Runs one command of a command table: the first argument names it, the rest is its own.
import { UsageError, type Command, type CommandIo } from './command';

/** Resolves to the exit code: 0 done, 1 failed, 2 called wrongly. */
export async function runCli(commands: Record<string, Command>, argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.err(helpText(commands));
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name]! : undefined;
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${helpText(commands)}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nUsage: npm run cli -- ${command.usage}`);
      return 2;
    }
    // Configuration errors already list every variable to fix; anything else is unexpected.
    io.err((err as Error).message.startsWith('Invalid configuration') ? (err as Error).message : `${name} failed: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

function helpText(commands: Record<string, Command>): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `Usage: npm run cli -- <command>\n\nCommands:\n${lines.join('\n')}`;
}
