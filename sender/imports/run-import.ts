// Processes one claimed import: counts the rows (the progress bar's end, and a syntax
// check of the whole file before anything is written), then reads the rows in order and
// writes them in chunks, each chunk one transaction with the job's counters. A job taken
// over from a dead sender resumes after its processedRows: the rows before are read again
// only to know which addresses the file already gave and which rows were rejected.
import { CsvError } from 'csv-parse';
import { checkMapping, planColumns, type ColumnPlan } from '../../shared/csv/column-mapping';
import { columnNames, describeCsvError, isBlankRecord } from '../../shared/csv/read-csv-head';
import type { CsvDelimiter } from '../../shared/csv/sniff-delimiter';
import type { Database } from '../../shared/db/database';
import {
  failImportJob,
  finishImportJob,
  MAX_KEPT_REJECTS,
  releaseImportJob,
  setImportTotal,
  writeImportChunk,
  type ClaimedImport,
  type ImportReject,
  type ImportRow,
} from '../../shared/queries/imports';
import { csvRecords } from './csv-records';
import { readRow, type RowResult } from './import-row';

export interface ImportWork {
  db: Database;
  senderId: string;
  leaseMs: number;
  /** Rows per transaction. */
  chunkSize: number;
  /** True once the sender is stopping: the job is handed back after the chunk in progress. */
  stopping(): boolean;
}

/** A file the sender cannot import as it stands; the message says what to fix. */
class ImportFileError extends Error {}

/** Runs a claimed job until it is done, failed, lost (cancelled, or taken over) or handed back. */
export async function runImport(work: ImportWork, job: ClaimedImport): Promise<void> {
  const { db, senderId } = work;
  const delimiter = job.options.delimiter as CsvDelimiter;
  try {
    if (job.csv === null) throw new ImportFileError('The uploaded file is gone; upload it again.');
    let totalRows = job.totalRows;
    if (totalRows === 0 && job.processedRows === 0) {
      totalRows = await countRows(job.csv, delimiter);
      if (!(await setImportTotal(db, job.id, senderId, totalRows, work.leaseMs))) return;
    }
    const rejects = await importRows(work, job, job.csv, delimiter, work.chunkSize);
    if (rejects) await finishImportJob(db, job.id, senderId, rejects);
  } catch (err) {
    if (err instanceof CsvError) await failImportJob(db, job.id, senderId, describeCsvError(err));
    else if (err instanceof ImportFileError) await failImportJob(db, job.id, senderId, err.message);
    else throw err;
  }
}

/** Non-blank rows after the header; reading them all also finds any syntax error up front. */
async function countRows(csv: string, delimiter: CsvDelimiter): Promise<number> {
  let count = -1;
  for await (const fields of csvRecords(csv, delimiter)) if (count === -1 || !isBlankRecord(fields)) count++;
  return Math.max(count, 0);
}

function planFromHeader(header: readonly string[], mapping: Record<string, string>): ColumnPlan {
  const columns = columnNames(header);
  const problems = checkMapping(columns, mapping);
  // The API checked the mapping against this same header; this only guards a changed row.
  if (problems.length > 0) throw new ImportFileError(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return planColumns(columns, mapping);
}

/**
 * Reads every row, writing chunks past the resume point. Returns the rejected rows to keep,
 * or null when the job was lost or handed back.
 */
async function importRows(work: ImportWork, job: ClaimedImport, csv: string, delimiter: CsvDelimiter, size: number): Promise<ImportReject[] | null> {
  const chunk = createChunkWriter(work, job);
  // The first row of each address, so a later row of the same address is rejected.
  const firstRowOf = new Map<string, number>();
  let plan: ColumnPlan | null = null;
  let row = 0;
  let dataRows = 0;
  for await (const fields of csvRecords(csv, delimiter)) {
    row++;
    if (plan === null) {
      plan = planFromHeader(fields, job.mapping);
      continue;
    }
    if (isBlankRecord(fields)) continue;
    dataRows++;
    const result = judgeRow(fields, row, plan, firstRowOf);
    if (dataRows <= job.processedRows) chunk.remember(row, result); // written before a takeover
    else chunk.add(row, result);
    if (chunk.size() < size) continue;
    if (!(await chunk.flush())) return null;
    if (work.stopping()) {
      await releaseImportJob(work.db, job.id, work.senderId);
      return null;
    }
  }
  return (await chunk.flush()) ? chunk.rejects : null;
}

function judgeRow(fields: readonly string[], row: number, plan: ColumnPlan, firstRowOf: Map<string, number>): RowResult {
  const result = readRow(fields, plan);
  if (!('ok' in result)) return result;
  const first = firstRowOf.get(result.ok.email);
  if (first !== undefined) return { reason: `the same address as row ${first}: an address is imported once, from its first row` };
  firstRowOf.set(result.ok.email, row);
  return result;
}

/** Collects rows and writes them as one chunk; flush() is false when the job is no longer ours (nothing was written). */
function createChunkWriter(work: ImportWork, job: ClaimedImport) {
  let processed = job.processedRows;
  let rows: ImportRow[] = [];
  let rejected = 0;
  /** Every reject to keep, from the first row on (a resumed job finds the earlier ones again). */
  const rejects: ImportReject[] = [];
  let rejectsStored = 0;

  function keep(row: number, result: RowResult): void {
    if ('reason' in result && rejects.length < MAX_KEPT_REJECTS) rejects.push({ row, reason: result.reason });
  }

  return {
    rejects,
    /** A row written before a takeover: only its reject is kept. */
    remember: keep,
    add(row: number, result: RowResult) {
      keep(row, result);
      if ('ok' in result) rows.push(result.ok);
      else rejected++;
    },
    size: () => rows.length + rejected,
    async flush(): Promise<boolean> {
      const size = rows.length + rejected;
      if (size === 0) return true;
      // The marketer watching sees rejected rows as they are found.
      const storeRejects = rejects.length > rejectsStored;
      const written = await writeImportChunk(work.db, {
        jobId: job.id,
        senderId: work.senderId,
        leaseMs: work.leaseMs,
        from: processed,
        to: processed + size,
        rows,
        rejectedRows: rejected,
        ...(storeRejects ? { rejects } : {}),
        existing: job.options.existing,
        listIds: job.listIds,
        ...(job.options.status ? { memberStatus: job.options.status } : {}),
      });
      if (!written) return false;
      processed += size;
      [rows, rejected] = [[], 0];
      if (storeRejects) rejectsStored = rejects.length;
      return true;
    },
  };
}
