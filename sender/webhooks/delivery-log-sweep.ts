// Keeps the outgoing webhook log to a window (WEBHOOK_LOG_DAYS): settled deliveries older
// than that are deleted in small chunks, so the sweep never holds the database for long.
import type { Database } from '../../shared/db/database';
import { deleteSettledDeliveries } from '../../shared/queries/webhook-deliveries';
import { createWorkLoop, type WorkLoop } from '../work-loop';

export interface DeliveryLogSweepOptions {
  db: Database;
  /** How long a settled delivery is kept, in ms. */
  keepMs: number;
  /** Deliveries deleted per statement. Default 1,000. */
  chunk?: number;
  /** The pause once nothing is left to delete. Default 10 minutes. */
  idleMs?: number;
}

export function createDeliveryLogSweep(options: DeliveryLogSweepOptions): WorkLoop {
  const chunk = options.chunk ?? 1000;
  return createWorkLoop(
    'webhook log sweep',
    async function sweepStep() {
      // A full chunk means more may be waiting: go again at once.
      return (await deleteSettledDeliveries(options.db, Date.now() - options.keepMs, chunk)) === chunk;
    },
    options.idleMs ?? 10 * 60_000,
  );
}
