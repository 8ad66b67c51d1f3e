// Who is mailed: lists, subscribers and their memberships, and CSV imports of them.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { now } from './columns';

export const lists = sqliteTable('lists', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  optin: text('optin', { enum: ['single', 'double'] }).notNull().default('single'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const subscribers = sqliteTable('subscribers', {
  id: integer('id').primaryKey(),
  /** Stored lower-cased and trimmed, so uniqueness is case-insensitive. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** JSON object of marketer-defined fields, e.g. {"city":"Lyon"}. */
  attributes: text('attributes', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
  /** `blocklisted` is a manual block: never mailed, whatever the lists say. */
  status: text('status', { enum: ['active', 'blocklisted'] }).notNull().default('active'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const listMembers = sqliteTable(
  'list_members',
  {
    listId: integer('list_id').notNull().references(() => lists.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id').notNull().references(() => subscribers.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['unconfirmed', 'subscribed', 'unsubscribed'] }).notNull().default('subscribed'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.listId, t.subscriberId] }), index('list_members_subscriber').on(t.subscriberId)],
);

export const importJobStatuses = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;

/** A CSV import of subscribers: created by the API, processed in chunks, polled for progress. */
export const importJobs = sqliteTable(
  'import_jobs',
  {
    id: integer('id').primaryKey(),
    status: text('status', { enum: importJobStatuses }).notNull().default('pending'),
    fileName: text('file_name').notNull().default(''),
    /** Lists the imported subscribers join. */
    listIds: text('list_ids', { mode: 'json' }).$type<number[]>().notNull(),
    /** CSV column → subscriber field (`email`, `name`, `attributes.<key>`, or ignored). */
    mapping: text('mapping', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    /** What to do with addresses that already exist, and similar choices. */
    options: text('options', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    insertedRows: integer('inserted_rows').notNull().default(0),
    updatedRows: integer('updated_rows').notNull().default(0),
    rejectedRows: integer('rejected_rows').notNull().default(0),
    /** Rejected rows with the reason for each (the first thousand). */
    rejects: text('rejects', { mode: 'json' }).$type<{ row: number; reason: string }[]>().notNull().default([]),
    error: text('error'),
    /** Claim columns: who processes it now, and until when. */
    claimedBy: text('claimed_by'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull().default(now),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('import_jobs_status').on(t.status)],
);

/**
 * The uploaded file of an import, kept until the import ends. Its own row, so the job's
 * counters, updated after every chunk, do not rewrite megabytes each time.
 */
export const importFiles = sqliteTable('import_files', {
  jobId: integer('job_id').primaryKey().references(() => importJobs.id, { onDelete: 'cascade' }),
  csv: text('csv').notNull(),
});
