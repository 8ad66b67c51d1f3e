// `npm run dev:worker [-- wrangler dev options]`: the edge in workerd on the Node host's own
// database. Starts the Hrana server on the local file (migrated), then `wrangler dev` with
// DATABASE_URL pointing at it and the SECRET_KEY the Node host uses, so tokens from either
// host verify on the other. Extra arguments go to `wrangler dev`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { localSecretKey } from '../cli/local-secret';
import { parseLocalHranaConfig, startLocalHrana } from './local-hrana';

async function main(): Promise<void> {
  // A free port unless HRANA_PORT says otherwise: the Worker is told the URL either way.
  const config = parseLocalHranaConfig(process.env, 0);
  const server = await startLocalHrana(config);
  console.log(`Hrana server for ${config.DATABASE_URL} at ${server.url}`);

  const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
  const child = spawn(process.execPath, [wrangler, 'dev', '--ip', '127.0.0.1', '--var', `DATABASE_URL:${server.url}`, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      // Through the environment, not the command line, so `ps` does not show it. wrangler
      // passes it on because wrangler.toml lists it under [secrets] required.
      SECRET_KEY: process.env.SECRET_KEY ?? localSecretKey(process.env.DATA_DIR ?? 'data').key,
      // The app reads nothing from request.cf, and offline the fetch only prints a stack trace.
      CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
    },
  });

  let exiting = false;
  async function exit(code: number) {
    if (exiting) return;
    exiting = true;
    await server.close();
    process.exit(code);
  }
  child.on('exit', (code, signal) => void exit(code ?? (signal ? 1 : 0)));
  child.on('error', (err) => {
    console.error(`could not start wrangler: ${err.message}`);
    void exit(1);
  });
  // The terminal sends SIGINT to wrangler too; SIGTERM (from a process manager) is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
