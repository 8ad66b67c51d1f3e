// The sender container's entry: `docker run sender`, or `tsx sender/main.ts` on a machine.
import { parseConfig, senderConfigSchema } from '../shared/config';
import { applyMigrations } from '../node/migrate';
import { openDatabase } from '../node/open-database';
import { startSender } from './start-sender';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(senderConfigSchema, process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const { client, db } = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  await applyMigrations(db);
  const sender = await startSender({ config, db });
  console.log(`sender ${sender.senderId} started (concurrency ${config.SENDER_CONCURRENCY})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight messages`);
    await sender.close();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error('sender failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
