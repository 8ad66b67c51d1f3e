// `npm run cli -- <command>`. Each command lives in its own file behind the Command
// contract (cli/command.ts); to add one, import it and add a line to the table.
import { apiKeyCommand } from './api-key';
import { bounceCommand } from './bounce';
import type { Command } from './command';
import { migrateCommand } from './migrate';
import { runCli } from './run-cli';
import { secretsCommand } from './secrets';
import { startCommand } from './start';
import { userCommand } from './user';

const commands: Record<string, Command> = {
  start: startCommand,
  migrate: migrateCommand,
  'api-key': apiKeyCommand,
  user: userCommand,
  bounce: bounceCommand,
  secrets: secretsCommand,
};

process.exitCode = await runCli(commands, process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
