// Runs the live checks the API asks for (POST /api/sending-servers/:id/validate): builds the
// server's driver as a send would and asks it, without sending mail, whether the relay
// takes its settings and credentials.
import type { Database } from '../shared/db/database';
import { claimServerCheck, recordServerCheck } from '../shared/queries/server-checks';
import type { ServerDrivers } from './drivers/server-drivers';
import { createWorkLoop, type WorkLoop } from './work-loop';

export function createServerChecker(db: Database, drivers: ServerDrivers, idleMs = 500): WorkLoop {
  async function checkNext(): Promise<boolean> {
    const request = await claimServerCheck(db);
    if (!request) return false;
    let problems;
    try {
      const driver = await drivers.get(request.id, request.updatedAt);
      problems = await driver.validateConfig();
    } catch (err) {
      // The driver could not even be built: settings the relay was never asked about.
      problems = [{ path: 'config', message: (err as Error).message }];
    }
    await recordServerCheck(db, request.id, problems);
    return true;
  }

  return createWorkLoop('server check', checkNext, idleMs);
}
