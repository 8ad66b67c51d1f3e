// The JSON shapes of Hrana over HTTP (versions 2 and 3), as libsql's HRANA_3_SPEC.md
// defines them. Requests are parsed with zod so a malformed one is refused with the path of
// the field at fault; unknown fields are ignored, as the spec asks for forward compatibility.
import { z } from 'zod';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int32 = z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1);

export const hranaValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('null') }),
  z.object({
    type: z.literal('integer'),
    value: z
      .string()
      .regex(/^-?[0-9]{1,19}$/, 'an integer value must be a decimal string')
      .refine((v) => BigInt(v) >= INT64_MIN && BigInt(v) <= INT64_MAX, 'an integer value must fit in 64 bits'),
  }),
  z.object({ type: z.literal('float'), value: z.number() }),
  z.object({ type: z.literal('text'), value: z.string() }),
  z.object({
    type: z.literal('blob'),
    base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'a blob must be standard base64'),
  }),
]);
export type HranaValue = z.infer<typeof hranaValueSchema>;

export const stmtSchema = z
  .object({
    sql: z.string().nullish(),
    sql_id: int32.nullish(),
    args: z.array(hranaValueSchema).optional(),
    named_args: z.array(z.object({ name: z.string().min(1), value: hranaValueSchema })).optional(),
    want_rows: z.boolean().optional(),
  })
  .refine((s) => (s.sql == null) !== (s.sql_id == null), 'give exactly one of sql and sql_id');
export type HranaStmt = z.infer<typeof stmtSchema>;

export type BatchCond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: BatchCond }
  | { type: 'and' | 'or'; conds: BatchCond[] }
  | { type: 'is_autocommit' };

const stepIndex = z.number().int().min(0);
export const batchCondSchema: z.ZodType<BatchCond> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.enum(['ok', 'error']), step: stepIndex }),
    z.object({ type: z.literal('not'), cond: batchCondSchema }),
    z.object({ type: z.enum(['and', 'or']), conds: z.array(batchCondSchema) }),
    z.object({ type: z.literal('is_autocommit') }),
  ]),
);

export const batchSchema = z.object({
  steps: z.array(z.object({ condition: batchCondSchema.nullish(), stmt: stmtSchema })),
});
export type HranaBatch = z.infer<typeof batchSchema>;

const sqlOrId = { sql: z.string().nullish(), sql_id: int32.nullish() };
const oneOfSqlOrId = (r: { sql?: string | null; sql_id?: number | null }) => (r.sql == null) !== (r.sql_id == null);

export const streamRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('close') }),
  z.object({ type: z.literal('execute'), stmt: stmtSchema }),
  z.object({ type: z.literal('batch'), batch: batchSchema }),
  z.object({ type: z.literal('sequence'), ...sqlOrId }).refine(oneOfSqlOrId, 'give exactly one of sql and sql_id'),
  z.object({ type: z.literal('describe'), ...sqlOrId }).refine(oneOfSqlOrId, 'give exactly one of sql and sql_id'),
  z.object({ type: z.literal('store_sql'), sql_id: int32, sql: z.string() }),
  z.object({ type: z.literal('close_sql'), sql_id: int32 }),
  z.object({ type: z.literal('get_autocommit') }),
]);
export type StreamRequest = z.infer<typeof streamRequestSchema>;

/** The envelope only: each request is parsed on its own, so one bad request fails alone. */
export const pipelineBodySchema = z.object({
  baton: z.string().nullish(),
  requests: z.array(z.unknown()),
});

export const cursorBodySchema = z.object({
  baton: z.string().nullish(),
  batch: batchSchema,
});

export interface HranaError {
  message: string;
  code?: string | null;
}

export interface HranaCol {
  name: string | null;
  decltype: string | null;
}

export interface StmtResult {
  cols: HranaCol[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

export interface BatchResult {
  step_results: (StmtResult | null)[];
  step_errors: (HranaError | null)[];
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: { name: string; decltype: string | null }[];
  is_explain: boolean;
  is_readonly: boolean;
}

export type StreamResponse =
  | { type: 'close' | 'sequence' | 'store_sql' | 'close_sql' }
  | { type: 'execute'; result: StmtResult }
  | { type: 'batch'; result: BatchResult }
  | { type: 'describe'; result: DescribeResult }
  | { type: 'get_autocommit'; is_autocommit: boolean };

export type StreamResult = { type: 'ok'; response: StreamResponse } | { type: 'error'; error: HranaError };

/** Lists every problem in a failed parse as `path: message`, for error messages that say what to fix. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
      return `${path || '(body)'}: ${i.message}`;
    })
    .join('; ');
}
