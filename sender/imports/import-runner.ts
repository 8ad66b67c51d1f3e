// The sender's import loop: claims one pending CSV import at a time (or one whose sender
// died, once its lease lapses) and runs it. Stopping hands the job in progress back after
// its current chunk, so a restart or another sender resumes it at once.
import type { Database } from '../../shared/db/database';
import { claimImportJob } from '../../shared/queries/imports';
import { createWorkLoop, type WorkLoop } from '../work-loop';
import { runImport, type ImportWork } from './run-import';

export interface ImportRunnerOptions {
  db: Database;
  /** Names this container in import claims. */
  senderId: string;
  /** How long a claim holds without progress; each chunk renews it. */
  leaseMs: number;
  /** Rows per transaction. Default 500. */
  chunkSize?: number;
  /** Pause between looks for work when there is none. Default 500 ms. */
  idleMs?: number;
}

export function createImportRunner({ db, senderId, leaseMs, chunkSize = 500, idleMs = 500 }: ImportRunnerOptions): WorkLoop {
  let stopping = false;
  const work: ImportWork = { db, senderId, leaseMs, chunkSize, stopping: () => stopping };

  async function importNext(): Promise<boolean> {
    const job = await claimImportJob(db, senderId, leaseMs);
    if (!job) return false;
    await runImport(work, job);
    return true;
  }

  const loop = createWorkLoop('import', importNext, idleMs);
  return {
    start() {
      stopping = false;
      loop.start();
    },
    async stop() {
      stopping = true;
      await loop.stop();
    },
  };
}
