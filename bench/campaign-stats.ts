// Stats of a campaign with 10 million events (issue 5: ≤ 100 ms p95, with no full scan):
// campaignStats, the message counts and the campaign reports, each timed over many runs on
// the database bench/stats-database.ts builds (1,000,000 messages, 10,000,000 events, and a
// second campaign beside it), with the EXPLAIN QUERY PLAN of every statement they run.
//   npx tsx bench/campaign-stats.ts [runs=200] [--rebuild]
// Each function runs `runs` times (at most 30 s each, at least 5 runs) after 3 warm-up runs.
import type { Client, InArgs, InStatement } from '@libsql/client';
import { createDatabase, type Database } from '../shared/db/database';
import { campaignDomains, campaignFeedback, campaignTimeseries } from '../shared/queries/campaign-reports';
import { campaignMessageCounts } from '../shared/queries/message-counts';
import { campaignStats } from '../shared/queries/stats';
import { BIG, statsDatabase } from './stats-database';

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200);
const BUDGET_MS = 30_000;

interface Statement {
  sql: string;
  args: InArgs;
}

function statement(stmt: InStatement | string, args?: InArgs): Statement {
  return typeof stmt === 'string' ? { sql: stmt, args: args ?? [] } : { sql: stmt.sql, args: stmt.args ?? [] };
}

/** The client, noting every statement run through it (execute and batch) into `into`. */
function capturing(client: Client, into: Statement[]): Client {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'execute') {
        return (stmt: InStatement | string, args?: InArgs) => {
          into.push(statement(stmt, args));
          return target.execute(stmt as InStatement);
        };
      }
      if (prop === 'batch') {
        return (stmts: InStatement[], mode?: Parameters<Client['batch']>[1]) => {
          for (const s of stmts) into.push(statement(s));
          return target.batch(stmts, mode);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The plan as SQLite prints it (a tree), and whether it scans a big table whole. */
async function plan(client: Client, s: Statement): Promise<{ lines: string[]; fullScan: boolean }> {
  const rows = (await client.execute({ sql: `explain query plan ${s.sql}`, args: s.args })).rows;
  const depth = new Map<number, number>([[0, 0]]);
  const lines: string[] = [];
  let fullScan = false;
  for (const row of rows) {
    const d = (depth.get(Number(row.parent)) ?? 0) + 1;
    depth.set(Number(row.id), d);
    const detail = String(row.detail);
    if (/^SCAN (events|messages|subscribers)\b/.test(detail)) fullScan = true;
    lines.push(`${'  '.repeat(d)}${detail}`);
  }
  return { lines, fullScan };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(run: () => Promise<unknown>): Promise<{ n: number; p50: number; p95: number; p99: number }> {
  for (let i = 0; i < 3; i++) await run();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < runs && (samples.length < 5 || performance.now() - started < BUDGET_MS)) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

const started = performance.now();
const opened = await statsDatabase(process.argv.includes('--rebuild'));
const buildSeconds = ((performance.now() - started) / 1000).toFixed(0);
const events = Number((await opened.client.execute('select max(id) as n from events')).rows[0]!.n);
console.log(`campaign stats: campaign ${BIG.id} with ${BIG.messages.toLocaleString('en')} messages and ${BIG.events.toLocaleString('en')} events (${events.toLocaleString('en')} events in all), libSQL file`);
console.log(opened.built ? `  database built in ${buildSeconds} s` : '  database reused (built before for the same migrations; --rebuild to build again)');

const benches: [string, (db: Database) => Promise<unknown>][] = [
  ['campaignStats', (db) => campaignStats(db, BIG.id)],
  ['campaignMessageCounts', (db) => campaignMessageCounts(db, BIG.id)],
  ['campaignTimeseries', (db) => campaignTimeseries(db, BIG.id)],
  ['campaignDomains (20)', (db) => campaignDomains(db, BIG.id, 20)],
  ['campaignFeedback (50)', (db) => campaignFeedback(db, BIG.id, 50)],
];

const summary: string[] = [];
for (const [name, run] of benches) {
  const captured: Statement[] = [];
  await run(createDatabase(capturing(opened.client, captured)));
  console.log(`\n== ${name}: ${captured.length} statements`);
  let scans = 0;
  for (const [i, s] of captured.entries()) {
    const { lines, fullScan } = await plan(opened.client, s);
    if (fullScan) scans++;
    console.log(`  [${i + 1}] ${s.sql.replace(/\s+/g, ' ').slice(0, 160)}${s.sql.length > 160 ? '…' : ''}`);
    for (const line of lines) console.log(`    ${line}`);
  }
  const t = await time(() => run(opened.db));
  const row = `${name.padEnd(24)} p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms (${t.n} runs)${scans ? `, ${scans} statement(s) with a full scan` : ''}`;
  console.log(`  ${row}`);
  summary.push(row);
}
console.log(`\nsummary\n${summary.map((s) => `  ${s}`).join('\n')}`);
opened.client.close();
