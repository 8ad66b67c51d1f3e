// CSV imports of subscribers. The API stores the file with the job (`pending`); a sender
// container claims it with a lease (compare-and-set, as for campaigns), writes the rows in
// chunks and records progress; the API reads the progress. Each chunk is one batch (one
// transaction) that moves the job's counters from `from` to `to` and writes the rows only
// if that move happened, so a crash never half-writes a chunk and a chunk written by a
// sender that lost its lease is never written twice.
//
// The job row holds the file until the import ends, and SQLite rewrites a whole row to
// update one column: every counter update reads the file through (about 3 ms per MB).
// So the rejected rows are stored now and then (the sender says when), not with each
// chunk: a growing list would also change the row's size, and then the file's pages are
// written again too. An `import_files` table beside the jobs would end this cost.
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { sqlJson } from '../db/sql-json';
import { importFiles, importJobs, listMembers, lists, subscribers } from '../db/schema';
import { toPage, type Page } from './page';

export type ImportJobRow = typeof importJobs.$inferSelect;
export type ImportStatus = ImportJobRow['status'];
/** A job as the API shows it: never the file. */
export type ImportJob = Omit<ImportJobRow, 'claimedBy' | 'leaseUntil'>;
/** A job in a list of jobs: without its rejected rows. */
export type ImportJobSummary = Omit<ImportJob, 'rejects'>;

/** What to do with an address that already is a subscriber. */
export type ExistingSubscribers = 'update' | 'skip';
/** The status new memberships start in; left out: each list's own (double opt-in lists: unconfirmed). */
export type ImportMemberStatus = 'subscribed' | 'unconfirmed';

// A type, not an interface, so it fits the JSON column's Record<string, unknown>.
export type ImportOptions = {
  existing: ExistingSubscribers;
  status?: ImportMemberStatus;
  /** How the file was read (found by the API, or given by the caller). */
  delimiter: string;
  encoding: string;
};

export interface ImportReject {
  /** The row in the spreadsheet: the header is row 1. */
  row: number;
  reason: string;
}

/** Only this many rejected rows are kept with their reasons; all are counted. */
export const MAX_KEPT_REJECTS = 1000;

const summaryColumns = {
  id: importJobs.id,
  status: importJobs.status,
  fileName: importJobs.fileName,
  listIds: importJobs.listIds,
  mapping: importJobs.mapping,
  options: importJobs.options,
  totalRows: importJobs.totalRows,
  processedRows: importJobs.processedRows,
  insertedRows: importJobs.insertedRows,
  updatedRows: importJobs.updatedRows,
  rejectedRows: importJobs.rejectedRows,
  error: importJobs.error,
  createdAt: importJobs.createdAt,
  startedAt: importJobs.startedAt,
  finishedAt: importJobs.finishedAt,
};
const jobColumns = { ...summaryColumns, rejects: importJobs.rejects };

export interface NewImportJob {
  fileName: string;
  listIds: number[];
  mapping: Record<string, string>;
  options: ImportOptions;
  csv: string;
}

/** Stores a pending job with its file, in one transaction. */
export async function createImportJob(db: Database, { csv, ...job }: NewImportJob): Promise<ImportJob> {
  const [[row]] = await db.batch([
    db.insert(importJobs).values(job).returning(jobColumns),
    db.run(sql`insert into ${importFiles} (job_id, csv) values (last_insert_rowid(), ${csv})`),
  ]);
  return row!;
}

export async function getImportJob(db: Database, id: number): Promise<ImportJob | null> {
  const [row] = await db.select(jobColumns).from(importJobs).where(eq(importJobs.id, id));
  return row ?? null;
}

/** One page of jobs, newest first. */
export async function listImportJobs(db: Database, page: { cursor?: number; limit: number }): Promise<Page<ImportJobSummary>> {
  const rows = await db
    .select(summaryColumns)
    .from(importJobs)
    .where(page.cursor ? lt(importJobs.id, page.cursor) : undefined)
    .orderBy(desc(importJobs.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export type CancelResult = { cancelled: ImportJob } | { refused: ImportStatus } | null;

/**
 * Cancels a pending or running job: it ends as `cancelled` with the reason, and its file is
 * dropped. Chunks already written stay; a sender working on it stops at its next chunk,
 * whose guarded write then changes nothing. Null: no such job.
 */
export async function cancelImportJob(db: Database, id: number): Promise<CancelResult> {
  const now = Date.now();
  const [row] = await db
    .update(importJobs)
    .set({
      status: 'cancelled',
      error: sql`'Cancelled after ' || ${importJobs.processedRows} || ' of ' || ${importJobs.totalRows} || ' rows; rows already imported stay.'`,
      claimedBy: null,
      leaseUntil: null,
      finishedAt: now,
    })
    .where(and(eq(importJobs.id, id), inArray(importJobs.status, ['pending', 'running'])))
    .returning({ id: importJobs.id });
  if (row) {
    await dropImportFile(db, id);
    return { cancelled: (await getImportJob(db, id))! };
  }
  const current = await getImportJob(db, id);
  return current ? { refused: current.status } : null;
}

/** A job a sender holds, with what processing it needs. */
export interface ClaimedImport {
  id: number;
  csv: string | null;
  listIds: number[];
  mapping: Record<string, string>;
  options: ImportOptions;
  totalRows: number;
  processedRows: number;
  rejectedRows: number;
}

/**
 * Takes the oldest pending job, or a running one whose lease lapsed (its sender died), or
 * null. The sub-select picks a candidate and the outer WHERE repeats the condition, so the
 * UPDATE is a compare-and-set: two senders never hold one job.
 */
export async function claimImportJob(db: Database, senderId: string, leaseMs: number): Promise<ClaimedImport | null> {
  const now = Date.now();
  const claimable = sql`(${importJobs.status} = 'pending' or (${importJobs.status} = 'running' and (${importJobs.leaseUntil} is null or ${importJobs.leaseUntil} < ${now})))`;
  const [row] = await db
    .update(importJobs)
    .set({ status: 'running', claimedBy: senderId, leaseUntil: now + leaseMs, startedAt: sql`coalesce(${importJobs.startedAt}, ${now})` })
    .where(and(eq(importJobs.id, sql`(select ${importJobs.id} from ${importJobs} where ${claimable} order by ${importJobs.id} limit 1)`), claimable))
    .returning({
      id: importJobs.id,
      listIds: importJobs.listIds,
      mapping: importJobs.mapping,
      options: importJobs.options,
      totalRows: importJobs.totalRows,
      processedRows: importJobs.processedRows,
      rejectedRows: importJobs.rejectedRows,
    });
  if (!row) return null;
  const [file] = await db.select({ csv: importFiles.csv }).from(importFiles).where(eq(importFiles.jobId, row.id));
  return { ...row, csv: file?.csv ?? null, options: row.options as ImportOptions };
}

/** Deletes an ended job's file: it is needed only while the import runs. */
async function dropImportFile(db: Database, jobId: number): Promise<void> {
  await db.delete(importFiles).where(eq(importFiles.jobId, jobId));
}

function ours(jobId: number, senderId: string): SQL | undefined {
  return and(eq(importJobs.id, jobId), eq(importJobs.claimedBy, senderId), eq(importJobs.status, 'running'));
}

/** Records how many rows the file has (the progress bar's end); false when the job is no longer ours. */
export async function setImportTotal(db: Database, jobId: number, senderId: string, totalRows: number, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(importJobs)
    .set({ totalRows, leaseUntil: Date.now() + leaseMs })
    .where(ours(jobId, senderId))
    .returning({ id: importJobs.id });
  return rows.length === 1;
}

/** A subscriber as a row of the file gives it: email valid and normalised, values trimmed. */
export interface ImportRow {
  email: string;
  /** Empty: the file gives no name (an existing name is kept). */
  name: string;
  attributes: Record<string, string>;
}

export interface ImportChunk {
  jobId: number;
  senderId: string;
  leaseMs: number;
  /** The job's processedRows before this chunk, and after it. */
  from: number;
  to: number;
  /** Valid rows, one per address. */
  rows: ImportRow[];
  rejectedRows: number;
  /** Every reject kept so far (at most MAX_KEPT_REJECTS), when this chunk should store them; left out, the stored list stays. */
  rejects?: ImportReject[];
  existing: ExistingSubscribers;
  listIds: number[];
  memberStatus?: ImportMemberStatus;
}

/** Writes one chunk in one transaction; false (and nothing written) when the job is not ours at `from` any more. */
export async function writeImportChunk(db: Database, chunk: ImportChunk): Promise<boolean> {
  const [counted] = await db.batch([
    countChunk(db, chunk),
    upsertSubscribers(db, chunk),
    ...(chunk.listIds.length > 0 ? [addMembers(db, chunk)] : []),
  ]);
  return counted.rowsAffected === 1;
}

// First in the batch: counts new and existing addresses before the upsert changes them,
// and moves processed_rows from `from` to `to`, which is what the next statements check.
function countChunk(db: Database, chunk: ImportChunk) {
  const emails = sqlJson(chunk.rows.map((r) => r.email));
  const known = sql`exists (select 1 from ${subscribers} where ${subscribers.email} = e.value)`;
  const updated = chunk.existing === 'update' ? sql`(select count(*) from json_each(${emails}) as e where ${known})` : sql`0`;
  const rejects = chunk.rejects ? sql`${sqlJson(chunk.rejects)}` : sql`${importJobs.rejects}`;
  return db.run(sql`
    update ${importJobs} set
      processed_rows = ${chunk.to},
      inserted_rows = inserted_rows + (select count(*) from json_each(${emails}) as e where not ${known}),
      updated_rows = updated_rows + ${updated},
      rejected_rows = rejected_rows + ${chunk.rejectedRows},
      rejects = ${rejects},
      lease_until = ${Date.now() + chunk.leaseMs}
    where ${ours(chunk.jobId, chunk.senderId)} and ${importJobs.processedRows} = ${chunk.from}`);
}

/** True inside the batch only if countChunk moved the job (ours, and now at `to`). */
function chunkCounted(chunk: ImportChunk): SQL {
  return sql`exists (select 1 from ${importJobs} where ${ours(chunk.jobId, chunk.senderId)} and ${importJobs.processedRows} = ${chunk.to})`;
}

// An empty cell never erases: the name is kept when the file gives none, and attributes are
// merged key by key (the file's values are strings, never null, so json_patch removes nothing).
function upsertSubscribers(db: Database, chunk: ImportChunk) {
  const now = Date.now();
  const onConflict =
    chunk.existing === 'update'
      ? sql`do update set
          name = iif(excluded.name = '', ${subscribers.name}, excluded.name),
          attributes = json_patch(${subscribers.attributes}, excluded.attributes),
          updated_at = excluded.updated_at`
      : sql`do nothing`;
  return db.run(sql`
    insert into ${subscribers} (email, name, attributes, created_at, updated_at)
    select e.value ->> 'email', e.value ->> 'name', e.value -> 'attributes', ${now}, ${now}
    from json_each(${sqlJson(chunk.rows)}) as e
    where ${chunkCounted(chunk)}
    on conflict (email) ${onConflict}`);
}

// Every address of the chunk joins the lists, existing subscribers too; an existing
// membership is left as it is, so an import never undoes an unsubscribe.
function addMembers(db: Database, chunk: ImportChunk) {
  const status = chunk.memberStatus
    ? sql`${chunk.memberStatus}`
    : sql`case ${lists.optin} when 'double' then 'unconfirmed' else 'subscribed' end`;
  return db.run(sql`
    insert into ${listMembers} (list_id, subscriber_id, status)
    select ${lists.id}, ${subscribers.id}, ${status}
    from json_each(${sqlJson(chunk.rows.map((r) => r.email))}) as e
    join ${subscribers} on ${subscribers.email} = e.value
    join ${lists} on ${inArray(lists.id, chunk.listIds)}
    where ${chunkCounted(chunk)}
    on conflict (list_id, subscriber_id) do nothing`);
}

/** Ends a job we hold: done, with its rejected rows (at most MAX_KEPT_REJECTS), its file dropped. */
export async function finishImportJob(db: Database, jobId: number, senderId: string, rejects: ImportReject[]): Promise<boolean> {
  const rows = await db
    .update(importJobs)
    .set({ status: 'done', rejects: sql`${sqlJson(rejects)}`, claimedBy: null, leaseUntil: null, finishedAt: Date.now() })
    .where(ours(jobId, senderId))
    .returning({ id: importJobs.id });
  if (rows.length === 1) await dropImportFile(db, jobId);
  return rows.length === 1;
}

/** Ends a job we hold as failed, with what the marketer should fix; its file is dropped. */
export async function failImportJob(db: Database, jobId: number, senderId: string, error: string): Promise<boolean> {
  const rows = await db
    .update(importJobs)
    .set({ status: 'failed', error: error.slice(0, 1000), claimedBy: null, leaseUntil: null, finishedAt: Date.now() })
    .where(ours(jobId, senderId))
    .returning({ id: importJobs.id });
  if (rows.length === 1) await dropImportFile(db, jobId);
  return rows.length === 1;
}

/** Lets go of a job at shutdown, so another sender (or our restart) resumes it at once. */
export async function releaseImportJob(db: Database, jobId: number, senderId: string): Promise<void> {
  await db.update(importJobs).set({ claimedBy: null, leaseUntil: null }).where(ours(jobId, senderId));
}
