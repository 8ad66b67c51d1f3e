// Builds the dashboard when dashboard/dist is missing or older than its sources, so a fresh
// clone's `npm start` (and the browser test) serve the current screens without a separate step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboardDir = fileURLToPath(new URL('..', import.meta.url));
/** Where `npm run build:dashboard` writes the dashboard. */
export const dashboardDist = join(dashboardDir, 'dist');
// The screens import some of the project's shared/ (drivers' settings rules, event names).
const SOURCES = ['src', 'index.html', 'vite.config.ts', '../shared'];

/** Newest modification time (ms) of a file or anything under a folder. */
function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stats.mtimeMs);
}

/** True when dashboard/dist/index.html is missing or older than any source file. */
export function dashboardIsStale(): boolean {
  const built = join(dashboardDist, 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(...SOURCES.map((name) => newestMtime(join(dashboardDir, name))));
  return sources > statSync(built).mtimeMs;
}

/** Runs `vite build` for the dashboard if it is stale; `log` says so first (it takes a few seconds). */
export function ensureDashboardBuilt(log: (line: string) => void): void {
  if (!dashboardIsStale()) return;
  log('Building the dashboard (dashboard/dist is missing or older than its sources)...');
  // vite's exports hide bin/, so find it beside its package.json.
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(dashboardDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`Building the dashboard failed (exit ${result.status ?? result.signal}); run \`npm run build:dashboard\` to see why.`);
  }
}
