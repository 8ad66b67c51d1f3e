// `npm run dev:db`: serves the local database file over Hrana (HTTP) on 127.0.0.1:8080, the
// DATABASE_URL that wrangler.toml gives `wrangler dev`. Stops on SIGINT or SIGTERM.
import { parseLocalHranaConfig, startLocalHrana } from './local-hrana';

async function main(): Promise<void> {
  const config = parseLocalHranaConfig(process.env, 8080);
  const server = await startLocalHrana(config);
  console.log(`Hrana server for ${config.DATABASE_URL} at ${server.url} (give the Worker DATABASE_URL=${server.url})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
