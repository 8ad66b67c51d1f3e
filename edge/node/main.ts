// The edge alone on Node (`tsx edge/node/main.ts`): configuration from the environment,
// pending migrations applied, then served until SIGTERM or SIGINT closes it gracefully.
import { edgeConfigSchema, parseConfig, type EdgeConfig } from '../../shared/config';
import { applyMigrations } from '../../node/migrate';
import { openDatabase } from '../../node/open-database';
import { serveEdge } from './serve-edge';

async function main(): Promise<void> {
  let config: EdgeConfig;
  try {
    config = parseConfig(edgeConfigSchema, process.env);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }

  const { client, db } = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  try {
    await applyMigrations(db);
  } finally {
    client.close();
  }

  const server = await serveEdge({ config });
  console.log(`Edgepost edge listening on ${server.url} (links point at ${config.PUBLIC_URL})`);

  let stopping = false;
  function stop(signal: NodeJS.Signals): void {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: finishing in-flight requests and pending tracking hits...`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error('edge did not close cleanly', err);
        process.exit(1);
      },
    );
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error('edge failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
