// `GET /api/subscribers/export`: the subscribers that GET /api/subscribers would list, as a
// CSV download. The body is a stream that reads one page of subscribers (by id) each time
// the client takes more, so a list of millions never sits in memory, on Node or in a Worker.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { attributeColumnName } from '../../shared/csv/column-mapping';
import { csvLine } from '../../shared/csv/csv-cells';
import type { Database } from '../../shared/db/database';
import { selectSubscriberPage, listAttributeKeys, type ExportedSubscriber, type SubscriberFilter } from '../../shared/queries/subscribers';
import { errors } from '../api-schemas';
import type { AppDeps } from '../deps';
import { validationHook } from '../validation-hook';
import { ATTRIBUTE_FILTER_DOC, attributeFilters, SubscriberFilterQuery } from './subscribers';

const PAGE_SIZE = 1000;
/** Attribute columns beyond this many are left out (a marketer's attributes are a few dozen at most). */
const MAX_ATTRIBUTE_COLUMNS = 200;

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function header(filter: SubscriberFilter, keys: string[]): string[] {
  return ['email', 'name', 'status', ...(filter.list === undefined ? [] : ['list_status']), 'created_at', ...keys.map(attributeColumnName)];
}

function line(s: ExportedSubscriber, filter: SubscriberFilter, keys: string[]): string {
  const listStatus = filter.list === undefined ? [] : [s.listStatus ?? ''];
  return csvLine([s.email, s.name, s.status, ...listStatus, new Date(s.createdAt).toISOString(), ...keys.map((k) => cellOf(s.attributes[k]))]);
}

/** The CSV, with a byte-order mark so Excel reads it as UTF-8. */
function exportStream(db: Database, filter: SubscriberFilter, keys: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: number | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(header(filter, keys))}`));
    },
    async pull(controller) {
      const rows = await selectSubscriberPage(db, { ...filter, cursor, limit: PAGE_SIZE });
      if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((s) => line(s, filter, keys)).join('')));
      cursor = rows[rows.length - 1]?.id;
      if (rows.length < PAGE_SIZE) controller.close();
    },
  });
}

function fileName(filter: SubscriberFilter): string {
  const day = new Date().toISOString().slice(0, 10);
  return filter.list === undefined ? `subscribers-${day}.csv` : `list-${filter.list}-subscribers-${day}.csv`;
}

export function subscriberExportRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscribers/export',
      tags: ['Subscribers'],
      summary: 'Download subscribers as CSV (the same filters as GET /api/subscribers)',
      description: `Columns: email, name, status, list_status (with \`list\`), created_at, then one column per attribute key (\`city\`, or \`attributes.<key>\` where the bare key would not import back as that attribute). UTF-8 with a byte-order mark, comma-separated, CRLF; a cell starting with = + - or @ gets a leading apostrophe so spreadsheets do not run it as a formula (the import removes it). ${ATTRIBUTE_FILTER_DOC}`,
      request: { query: SubscriberFilterQuery },
      responses: { 200: { description: 'The CSV file', content: { 'text/csv': { schema: z.string() } } }, 400: errors[400] },
    }),
    async function exportSubscribersHandler(c) {
      const filter: SubscriberFilter = { ...c.req.valid('query'), attributes: attributeFilters(c.req.queries()) };
      // Read before answering, so a failure here is an error response and not a cut-off file.
      const keys = await listAttributeKeys(deps.db, filter, MAX_ATTRIBUTE_COLUMNS);
      return c.body(exportStream(deps.db, filter, keys), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${fileName(filter)}"`,
        'cache-control': 'no-store',
      });
    },
  );

  return app;
}
