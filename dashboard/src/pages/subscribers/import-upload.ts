// The import's two uploads through the typed client (so they carry the CSRF token and a
// lapsed session is noticed like any other call): the preview of the file's head, and the
// start of the import. Both are multipart/form-data; a bad file is refused before upload
// where the browser can tell.
import type { components } from '../../api/schema';
import type { ApiClient } from '../../api/client';
import { callFailed } from '../../api/api-call';

export type ImportPreview = components['schemas']['ImportPreview'];
export type ImportJob = components['schemas']['ImportJob'];

/** edge/routes/subscriber-imports.ts: MAX_IMPORT_BYTES and PREVIEW_BYTES. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const PREVIEW_BYTES = 1024 * 1024;
const TEXT_EXTENSIONS = /\.(csv|tsv|txt)$/i;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

/** What is wrong with a file the browser can already see, or null. */
export function fileProblem(file: File): string | null {
  if (!TEXT_EXTENSIONS.test(file.name) && !file.type.startsWith('text/')) {
    return `${file.name} is not a CSV file. Choose a .csv file (from a spreadsheet: Save As, then "CSV UTF-8").`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_IMPORT_BYTES) {
    return `${file.name} is ${megabytes(file.size)}; the largest import is ${megabytes(MAX_IMPORT_BYTES)}. Split the file and import the parts one after another.`;
  }
  return null;
}

/** Reads the file's head: columns, first rows, a suggested mapping. */
export async function previewImport(api: ApiClient, file: File): Promise<ImportPreview> {
  // The API reads only the first 1 MB; one byte more tells it the file goes on (so a row cut
  // at the end is not taken for a broken one) without uploading all of a large file twice.
  const head = new File([file.slice(0, PREVIEW_BYTES + 1)], file.name, { type: file.type });
  const { data, error, response } = await api.POST('/api/subscribers/import/preview', {
    body: {},
    bodySerializer: () => formData({ file: head }),
  });
  if (!data) callFailed(error, response);
  return data;
}

export interface ImportRequest {
  file: File;
  listIds: number[];
  mapping: Record<string, string>;
  options: { existing: 'update' | 'skip'; status?: 'subscribed' | 'unconfirmed'; delimiter?: ImportPreview['delimiter'] };
}

/** Starts the import; answers the pending job. */
export async function startImport(api: ApiClient, request: ImportRequest): Promise<ImportJob> {
  const fields = { listIds: JSON.stringify(request.listIds), mapping: JSON.stringify(request.mapping), options: JSON.stringify(request.options) };
  const { data, error, response } = await api.POST('/api/subscribers/import', {
    body: fields,
    bodySerializer: (body) => formData({ ...body, file: request.file }),
  });
  if (!data) callFailed(error, response);
  return data;
}

function formData(fields: Record<string, string | File>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}
