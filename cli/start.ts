// `npm start`: the whole of Edgepost on one machine, on embedded defaults: a libSQL file
// under the data folder, the edge on Node, the sender plane, and Redis (REDIS_URL, or a
// redis-server of its own).
import { edgeConfigSchema, parseConfig, senderConfigSchema } from '../shared/config';
import { ensureDashboardBuilt } from '../dashboard/scripts/ensure-built';
import { serveEdge } from '../edge/node/serve-edge';
import { applyMigrations } from '../node/migrate';
import { openDatabase } from '../node/open-database';
import { startSender } from '../sender/start-sender';
import { UsageError, type Command, type CommandIo } from './command';
import { prepareFirstRun } from './first-run';
import { redactUrl, useRedis } from './local-redis';
import { localSecretKey } from './local-secret';

export const startCommand: Command = {
  summary: 'run all of Edgepost on this machine (edge, sender, Redis) on embedded defaults',
  usage: 'start',
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`start takes no arguments; configure it with environment variables (got: ${args.join(' ')})`);
    await start(io);
    // Runs until a signal stops it.
    return new Promise<number>(() => {});
  },
};

async function start(io: CommandIo): Promise<void> {
  const dataDir = io.env.DATA_DIR ?? 'data';
  const env: Record<string, string | undefined> = { ...io.env };
  env.DATABASE_URL ??= `file:${dataDir}/edgepost.db`;
  if (!env.SECRET_KEY) env.SECRET_KEY = localSecretKey(dataDir).key;
  const port = env.PORT ?? '8787';
  env.PUBLIC_URL ??= `http://localhost:${port}`;

  // Check the configuration before starting anything, so a mistake costs no clean-up.
  parseConfig(edgeConfigSchema, env);
  parseConfig(senderConfigSchema, env);
  // Also before anything starts: a failed build stops here with nothing to clean up.
  ensureDashboardBuilt((line) => io.err(line));
  const redis = await useRedis(env.REDIS_URL, dataDir);
  env.REDIS_URL = redis.url;
  const edgeConfig = parseConfig(edgeConfigSchema, env);
  const senderConfig = parseConfig(senderConfigSchema, env);

  const { client, db } = await openDatabase(senderConfig.DATABASE_URL, senderConfig.DATABASE_AUTH_TOKEN);
  await applyMigrations(db);
  const firstRun = await prepareFirstRun(db);
  const edge = await serveEdge({ config: edgeConfig });
  const sender = await startSender({ config: senderConfig, db });

  const lines = [
    `Edgepost is running at ${edge.url}`,
    `  dashboard:  ${edge.url}/ (first visit: create the owner account)`,
    `  API:        ${edge.url}/api (OpenAPI: ${edge.url}/api/openapi.json)`,
    `  database:   ${redactUrl(senderConfig.DATABASE_URL)}`,
    `  redis:      ${redactUrl(redis.url)}`,
  ];
  if (firstRun.apiKey) lines.push('', `Your API key (shown once, keep it): ${firstRun.apiKey}`);
  if (firstRun.captureServerCreated) {
    lines.push('', `No relay is configured: messages go to the local capture inbox (GET ${edge.url}/api/captured-messages).`);
  }
  io.err(lines.join('\n'));

  let stopping = false;
  async function stop(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    io.err(`${signal}: stopping (finishing in-flight messages)...`);
    await sender.close();
    await edge.close();
    client.close();
    await redis.stop();
    process.exit(0);
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
