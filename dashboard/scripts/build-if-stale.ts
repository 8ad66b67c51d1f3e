// `tsx dashboard/scripts/build-if-stale.ts`: what `npm test` and `npm run dev:worker` run
// first, since wrangler.toml's [assets] directory must exist before a Worker can start.
import { ensureDashboardBuilt } from './ensure-built';

ensureDashboardBuilt((line) => console.error(line));
