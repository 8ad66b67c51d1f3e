// CSV imports of subscribers: `POST /api/subscribers/import/preview` (columns, first rows
// and a suggested mapping, for the dashboard's mapping step), `POST /api/subscribers/import`
// (checks everything it can at once, stores the file, answers 202 with a job to poll),
// `GET /api/subscribers/import/{id}`, `DELETE` (cancel) and `GET /api/subscribers/imports`.
// The rows themselves are written by a sender container (sender/imports/).
//
// The upload routes parse their bodies themselves rather than through zod-openapi, so a
// request with several problems (a bad mapping and an unknown list) hears of all of them.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { checkMapping, suggestMapping } from '../../shared/csv/column-mapping';
import { readImportFields, ImportFormFields, type FieldProblem } from '../../shared/csv/import-form';
import { inspectCsv, type CsvInspection, type InspectOptions } from '../../shared/csv/inspect-csv';
import { CsvReadError } from '../../shared/csv/read-csv-head';
import { csvDelimiters, type CsvDelimiter } from '../../shared/csv/sniff-delimiter';
import { cancelImportJob, createImportJob, getImportJob, listImportJobs, type ImportJob, type ImportJobSummary } from '../../shared/queries/imports';
import { findMissingListIds } from '../../shared/queries/lists';
import { ApiError, errorBody } from '../api-error';
import { errors, IdParams, iso, jsonContent, PageQuery, pageOf, Timestamp } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { importJobStatuses } from '../../shared/db/schema';

const tags = ['Subscriber imports'];

/** The largest file an import takes. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
// Room for the form's other fields and the multipart boundaries around the file.
const FORM_OVERHEAD_BYTES = 1024 * 1024;
/** A preview reads this much of the file. */
const PREVIEW_BYTES = 1024 * 1024;
const PREVIEW_ROWS = 10;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

function tooLarge(size?: number) {
  const limit = `${megabytes(MAX_IMPORT_BYTES)} (${MAX_IMPORT_BYTES.toLocaleString('en-US')} bytes)`;
  const actual = size === undefined ? `The upload is larger than ${limit}` : `The file is ${size.toLocaleString('en-US')} bytes; the largest import is ${limit}`;
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `${actual}. Split the file and import the parts one after another.`, [
    { path: 'file', message: `at most ${megabytes(MAX_IMPORT_BYTES)}` },
  ]);
}

const uploadLimit = bodyLimit({
  maxSize: MAX_IMPORT_BYTES + FORM_OVERHEAD_BYTES,
  onError: (c) => {
    const err = tooLarge();
    return c.json(errorBody(err.code, err.message, err.details), 413);
  },
});

const ImportJobSummarySchema = z
  .object({
    id: z.number().int(),
    status: z.enum(importJobStatuses).openapi({ description: '`failed` and `cancelled` come with `error`: what went wrong, or how far it got.' }),
    fileName: z.string(),
    listIds: z.array(z.number().int()),
    mapping: z.record(z.string(), z.string()),
    options: z.record(z.string(), z.unknown()).openapi({ description: '`existing`, `status`, and how the file was read: `delimiter`, `encoding`.' }),
    totalRows: z.number().int().openapi({ description: 'Non-blank rows below the header; 0 until a sender has read the file.' }),
    processedRows: z.number().int(),
    insertedRows: z.number().int().openapi({ description: 'New subscribers.' }),
    updatedRows: z.number().int().openapi({ description: 'Existing subscribers whose name and attributes the file overwrote (`existing: update`).' }),
    skippedRows: z.number().int().openapi({ description: 'Existing subscribers left as they were (`existing: skip`); they still join the lists.' }),
    rejectedRows: z.number().int(),
    error: z.string().nullable().openapi({ description: 'Why the import failed or was cancelled, and what to fix.' }),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
  })
  .openapi('ImportJobSummary');

const ImportJobSchema = ImportJobSummarySchema.extend({
  rejects: z
    .array(z.object({ row: z.number().int().openapi({ description: 'Spreadsheet row: the header is row 1.' }), reason: z.string() }))
    .openapi({ description: 'The first 1,000 rejected rows, each with its reason.' }),
}).openapi('ImportJob');

const PreviewSchema = z
  .object({
    fileName: z.string(),
    encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']),
    delimiter: z.enum(csvDelimiters),
    columns: z.array(z.string()).openapi({ description: 'Names from the header line (an empty one becomes `column N`, a repeated one `name (2)`).' }),
    rows: z.array(z.array(z.string())).openapi({ description: `The first ${PREVIEW_ROWS} non-blank rows.` }),
    suggestedMapping: z.record(z.string(), z.string()).openapi({ description: 'Column → `email`, `name`, `attributes.<key>` or `ignore`.' }),
  })
  .openapi('ImportPreview');

function toSummaryBody(job: ImportJobSummary) {
  const skippedRows = job.processedRows - job.insertedRows - job.updatedRows - job.rejectedRows;
  return { ...job, skippedRows, createdAt: iso(job.createdAt), startedAt: iso(job.startedAt), finishedAt: iso(job.finishedAt) };
}

function toJobBody(job: ImportJob) {
  return { ...toSummaryBody(job), rejects: job.rejects };
}

/** Reads a multipart body; a body that is not one gets an answer saying what to send. */
async function readForm(c: Context): Promise<Record<string, string | File>> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
    throw new ApiError(415, 'VALIDATION', 'Send the import as multipart/form-data with the fields file, listIds, mapping and options.');
  }
  try {
    return await c.req.parseBody();
  } catch {
    throw new ApiError(400, 'VALIDATION', 'The multipart body could not be read; send it as a browser or curl -F would.');
  }
}

/** Reads at most `max` bytes of a body stream, and says whether more followed. */
async function readStart(body: ReadableStream<Uint8Array> | null, max: number): Promise<{ bytes: Uint8Array; partial: boolean }> {
  const bytes = new Uint8Array(max);
  let size = 0;
  const reader = body?.getReader();
  while (reader && size < max) {
    const { done, value } = await reader.read();
    if (done) return { bytes: bytes.subarray(0, size), partial: false };
    bytes.set(value.subarray(0, max - size), size);
    size += Math.min(value.length, max - size);
  }
  // Either the body filled the buffer, or it was longer: cancelling tells them apart cheaply.
  const next = reader ? await reader.read() : { done: true };
  await reader?.cancel();
  return { bytes: bytes.subarray(0, size), partial: !next.done };
}

async function previewUpload(c: Context): Promise<{ bytes: Uint8Array; partial: boolean; fileName: string }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (/^(text\/(csv|plain|tab-separated-values))\b/.test(type)) return { ...(await readStart(c.req.raw.body, PREVIEW_BYTES)), fileName: '' };
  const form = await readForm(c);
  const file = form.file;
  if (!(file instanceof File)) throw new ApiError(400, 'VALIDATION', 'Attach the CSV file as the form field "file".', [{ path: 'file', message: 'required' }]);
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  return { bytes, partial: file.size > PREVIEW_BYTES, fileName: file.name };
}

function inspect(bytes: Uint8Array, options: InspectOptions): CsvInspection | FieldProblem {
  try {
    return inspectCsv(bytes, options);
  } catch (err) {
    if (err instanceof CsvReadError) return { path: 'file', message: err.message };
    throw err;
  }
}

type UploadedCsv = CsvInspection & { fileName: string };

/** The file to import, read: its text and columns, or what is wrong with it. */
async function readUploadedCsv(file: File | null, delimiter: CsvDelimiter | undefined): Promise<UploadedCsv | FieldProblem> {
  if (!file) return { path: 'file', message: 'attach the CSV file as the form field "file"' };
  const read = inspect(new Uint8Array(await file.arrayBuffer()), { rows: 1, ...(delimiter ? { delimiter } : {}) });
  if ('path' in read) return read;
  if (read.rows.length === 0) return { path: 'file', message: 'the file has a header line but no rows below it' };
  return { ...read, fileName: file.name };
}

const PreviewQuery = z.object({
  delimiter: z.enum(csvDelimiters).optional().openapi({ description: 'Read with this delimiter (`,` `;` or a tab, URL-encoded) instead of the one found from the header line.' }),
});

function problemsError(summary: string, problems: FieldProblem[]) {
  return new ApiError(400, 'VALIDATION', `${summary}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

async function missingLists(db: AppDeps['db'], ids: number[]): Promise<FieldProblem[]> {
  const missing = new Set(await findMissingListIds(db, ids));
  return ids.flatMap((id, i) => (missing.has(id) ? [{ path: `listIds.${i}`, message: `no list with id ${id}; create it with POST /api/lists first` }] : []));
}

function registerUploadDocs(app: OpenAPIHono): void {
  const file = z.any().openapi({ type: 'string', format: 'binary', description: `The CSV file (at most ${megabytes(MAX_IMPORT_BYTES)}).` });
  const tooLargeResponse = { description: `The file is larger than ${megabytes(MAX_IMPORT_BYTES)}.`, content: errors[400].content };
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/subscribers/import/preview',
    tags,
    summary: 'Read the head of a CSV file: encoding, delimiter, columns, first rows and a suggested mapping',
    description:
      'Reads UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, and Windows-1252 (what is not valid UTF-8); comma, semicolon or tab delimited; quoted fields with delimiters, quotes ("") and line breaks inside; CRLF, LF or CR line ends. Only the first 1 MB is read.',
    request: {
      query: PreviewQuery,
      body: { required: true, content: { 'multipart/form-data': { schema: z.object({ file }) }, 'text/csv': { schema: z.string() } } },
    },
    responses: { 200: jsonContent(PreviewSchema, 'What the file holds'), 400: errors[400], 413: tooLargeResponse },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/subscribers/import',
    tags,
    summary: 'Start a CSV import: checks the request, stores the file and returns a job to poll',
    description:
      'Rows are checked one by one: a valid address (as for POST /api/subscribers), a name of at most 200 characters, attributes of at most 16 KB. A row whose address an earlier row already gave is rejected (the first row wins). Suppressed addresses are imported and stay suppressed; blocklisted subscribers stay blocklisted. An empty cell never erases an existing name or attribute. Every valid row joins the lists; an existing membership (an unsubscribe included) is left as it is.',
    request: { body: { required: true, content: { 'multipart/form-data': { schema: ImportFormFields.extend({ file }) } } } },
    responses: { 202: jsonContent(ImportJobSchema, 'The job, pending'), 400: errors[400], 413: tooLargeResponse },
  });
}

export function subscriberImportsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db } = deps;
  registerUploadDocs(app);

  app.post('/subscribers/import/preview', uploadLimit, async function previewImportHandler(c) {
    const query = PreviewQuery.safeParse(c.req.query());
    if (!query.success) throw problemsError('Invalid query string', query.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const upload = await previewUpload(c);
    const head = inspect(upload.bytes, { partial: upload.partial, rows: PREVIEW_ROWS, ...query.data });
    if ('path' in head) throw problemsError('The file cannot be read as CSV', [head]);
    const { encoding, delimiter, columns, rows } = head;
    return c.json({ fileName: upload.fileName, encoding, delimiter, columns, rows, suggestedMapping: suggestMapping(columns) }, 200);
  });

  app.post('/subscribers/import', uploadLimit, async function createImportHandler(c) {
    const form = await readForm(c);
    const file = form.file instanceof File ? form.file : null;
    if (file && file.size > MAX_IMPORT_BYTES) throw tooLarge(file.size);
    const { values, problems } = readImportFields(form);
    const upload = await readUploadedCsv(file, values.options?.delimiter);
    const csv = 'path' in upload ? null : upload;
    if (!csv) problems.push(upload as FieldProblem);
    if (values.listIds) problems.push(...(await missingLists(db, values.listIds)));
    if (csv && values.mapping) problems.push(...checkMapping(csv.columns, values.mapping));
    if (problems.length > 0 || !csv || !values.listIds || !values.mapping || !values.options) throw problemsError('The import was not started', problems);
    const job = await createImportJob(db, {
      fileName: csv.fileName,
      listIds: values.listIds,
      mapping: values.mapping,
      options: { ...values.options, delimiter: csv.delimiter, encoding: csv.encoding },
      csv: csv.text,
    });
    c.header('Location', `/api/subscribers/import/${job.id}`);
    return c.json(toJobBody(job), 202);
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers/import/{id}',
      tags,
      summary: 'An import\'s progress: counts, rejected rows with reasons, status',
      request: { params: IdParams },
      responses: { 200: jsonContent(ImportJobSchema, 'The job'), 404: errors[404] },
    }),
    async function getImportHandler(c) {
      const { id } = c.req.valid('param');
      const job = await getImportJob(db, id);
      if (!job) throw notFound(id);
      return c.json(toJobBody(job), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/subscribers/import/{id}',
      tags,
      summary: 'Cancel a pending or running import (rows already written stay)',
      request: { params: IdParams },
      responses: { 200: jsonContent(ImportJobSchema, 'The cancelled job'), 404: errors[404], 409: errors[409] },
    }),
    async function cancelImportHandler(c) {
      const { id } = c.req.valid('param');
      const result = await cancelImportJob(db, id);
      if (!result) throw notFound(id);
      if ('refused' in result) throw new ApiError(409, 'CONFLICT', `Import ${id} is already ${result.refused}; there is nothing to cancel.`);
      return c.json(toJobBody(result.cancelled), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers/imports',
      tags,
      summary: 'Recent imports, newest first (without their rejected rows)',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(ImportJobSummarySchema), 'A page of imports'), 400: errors[400] },
    }),
    async function listImportsHandler(c) {
      const page = await listImportJobs(db, c.req.valid('query'));
      return c.json({ data: page.rows.map(toSummaryBody), nextCursor: page.nextCursor }, 200);
    },
  );

  return app;
}

function notFound(id: number) {
  return new ApiError(404, 'NOT_FOUND', `No import with id ${id}.`);
}
