import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { lists } from '../db/schema';
import {
  cancelImportJob,
  claimImportJob,
  createImportJob,
  finishImportJob,
  getImportJob,
  writeImportChunk,
  type ImportChunk,
  type ImportRow,
} from './imports';
import { createSubscriber } from './subscribers';

describe('import queries', () => {
  let t: TestDatabase;
  let single: number;
  let double: number;
  beforeEach(async () => {
    t = await createTestDatabase();
    const ids = await t.db.insert(lists).values([{ name: 'Single' }, { name: 'Double', optin: 'double' }]).returning({ id: lists.id });
    [single, double] = ids.map((l) => l.id) as [number, number];
  });
  afterEach(() => t.close());

  const newJob = (listIds: number[] = [single, double]) =>
    createImportJob(t.db, { fileName: 'people.csv', listIds, mapping: { email: 'email' }, options: { existing: 'update', delimiter: ',', encoding: 'utf-8' }, csv: 'email\n' });
  const row = (email: string, name = '', attributes: Record<string, string> = {}): ImportRow => ({ email, name, attributes });
  const chunk = (jobId: number, senderId: string, from: number, rows: ImportRow[], extra: Partial<ImportChunk> = {}): ImportChunk => ({
    jobId,
    senderId,
    leaseMs: 30_000,
    from,
    to: from + rows.length + (extra.rejectedRows ?? 0),
    rows,
    rejectedRows: 0,
    existing: 'update',
    listIds: [single, double],
    ...extra,
  });
  const query = async (sql: string) => (await t.client.execute(sql)).rows.map((r) => ({ ...r }));

  it('lets one sender claim a job, and another only once the lease has lapsed', async () => {
    const job = await newJob();
    const [a, b] = await Promise.all([claimImportJob(t.db, 'a', 60_000), claimImportJob(t.db, 'b', 60_000)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(a ?? b).toMatchObject({ id: job.id, csv: 'email\n', processedRows: 0, options: { existing: 'update' } });
    expect(await claimImportJob(t.db, 'c', 60_000)).toBeNull();

    await t.client.execute(`update import_jobs set lease_until = ${Date.now() - 1}, processed_rows = 500`);
    expect(await claimImportJob(t.db, 'c', 60_000)).toMatchObject({ id: job.id, processedRows: 500 });
    expect((await query('select status, claimed_by from import_jobs'))[0]).toEqual({ status: 'running', claimed_by: 'c' });
  });

  it('writes a chunk in one go: subscribers, memberships by opt-in, and exact counters', async () => {
    const existing = await createSubscriber(t.db, { email: 'old@example.com', name: 'Old', attributes: { city: 'Lyon', plan: 'pro' }, status: 'blocklisted', lists: [], preconfirm: false });
    const job = await newJob();
    await claimImportJob(t.db, 's', 60_000);
    const written = await writeImportChunk(
      t.db,
      chunk(job.id, 's', 0, [row('new@example.com', 'New', { city: 'Nice' }), row('old@example.com', '', { city: 'Paris' })], {
        rejectedRows: 1,
        rejects: [{ row: 3, reason: 'no email address' }],
      }),
    );
    expect(written).toBe(true);
    expect(await getImportJob(t.db, job.id)).toMatchObject({ processedRows: 3, insertedRows: 1, updatedRows: 1, rejectedRows: 1, rejects: [{ row: 3, reason: 'no email address' }] });
    // An empty name keeps the old one; attributes merge; the blocklist stays.
    expect(await query('select email, name, attributes, status from subscribers order by id')).toEqual([
      { email: 'old@example.com', name: 'Old', attributes: '{"city":"Paris","plan":"pro"}', status: 'blocklisted' },
      { email: 'new@example.com', name: 'New', attributes: '{"city":"Nice"}', status: 'active' },
    ]);
    expect(await query('select subscriber_id, list_id, status from list_members order by subscriber_id, list_id')).toEqual([
      { subscriber_id: (existing as { id: number }).id, list_id: single, status: 'subscribed' },
      { subscriber_id: (existing as { id: number }).id, list_id: double, status: 'unconfirmed' },
      { subscriber_id: (existing as { id: number }).id + 1, list_id: single, status: 'subscribed' },
      { subscriber_id: (existing as { id: number }).id + 1, list_id: double, status: 'unconfirmed' },
    ]);
  });

  it('writes nothing for a chunk already written, or by a sender that lost the job', async () => {
    const job = await newJob();
    await claimImportJob(t.db, 's', 60_000);
    expect(await writeImportChunk(t.db, chunk(job.id, 's', 0, [row('a@example.com')]))).toBe(true);
    // The same chunk again (a retry after an unclear failure): refused, nothing counted twice.
    expect(await writeImportChunk(t.db, chunk(job.id, 's', 0, [row('a@example.com'), row('b@example.com')]))).toBe(false);
    // Another sender, whose lease has lapsed: refused.
    expect(await writeImportChunk(t.db, chunk(job.id, 'other', 1, [row('c@example.com')]))).toBe(false);
    expect(await getImportJob(t.db, job.id)).toMatchObject({ processedRows: 1, insertedRows: 1, updatedRows: 0 });
    expect(await query('select email from subscribers')).toEqual([{ email: 'a@example.com' }]);
    expect(await query('select count(*) as n from list_members')).toEqual([{ n: 2 }]);
  });

  it('leaves existing subscribers as they are with existing: skip, but they join the lists; an unsubscribe stays', async () => {
    await createSubscriber(t.db, { email: 'old@example.com', name: 'Old', attributes: {}, status: 'active', lists: [single], preconfirm: false });
    await t.client.execute(`update list_members set status = 'unsubscribed'`);
    const job = await newJob();
    await claimImportJob(t.db, 's', 60_000);
    await writeImportChunk(t.db, chunk(job.id, 's', 0, [row('old@example.com', 'New name', { city: 'Nice' })], { existing: 'skip', memberStatus: 'subscribed' }));
    expect(await getImportJob(t.db, job.id)).toMatchObject({ processedRows: 1, insertedRows: 0, updatedRows: 0 });
    expect(await query('select name, attributes from subscribers')).toEqual([{ name: 'Old', attributes: '{}' }]);
    expect(await query('select list_id, status from list_members order by list_id')).toEqual([
      { list_id: single, status: 'unsubscribed' },
      { list_id: double, status: 'subscribed' },
    ]);
  });

  it('stores the rejected rows when a chunk brings them, and all of them when the job is done', async () => {
    const job = await newJob();
    await claimImportJob(t.db, 's', 60_000);
    await writeImportChunk(t.db, chunk(job.id, 's', 0, [], { rejectedRows: 2, rejects: [{ row: 2, reason: 'a' }, { row: 3, reason: 'b' }] }));
    await writeImportChunk(t.db, chunk(job.id, 's', 2, [], { rejectedRows: 1 }));
    expect(await getImportJob(t.db, job.id)).toMatchObject({ rejectedRows: 3, rejects: [{ row: 2, reason: 'a' }, { row: 3, reason: 'b' }] });
    const all = [{ row: 2, reason: 'a' }, { row: 3, reason: 'b' }, { row: 4, reason: 'c \ud800' }];
    expect(await finishImportJob(t.db, job.id, 's', all)).toBe(true);
    expect(await getImportJob(t.db, job.id)).toMatchObject({ status: 'done', rejects: [...all.slice(0, 2), { row: 4, reason: 'c \ufffd' }] });
  });

  it('cancels a pending or running job, dropping its file, and refuses to cancel a finished one', async () => {
    const job = await newJob();
    const { cancelled } = (await cancelImportJob(t.db, job.id)) as { cancelled: { status: string; error: string } };
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'Cancelled after 0 of 0 rows; rows already imported stay.' });
    expect(await query('select job_id from import_files')).toEqual([]);
    expect(await claimImportJob(t.db, 's', 60_000)).toBeNull();

    const other = await newJob();
    await claimImportJob(t.db, 's', 60_000);
    expect(await finishImportJob(t.db, other.id, 's', [])).toBe(true);
    expect(await cancelImportJob(t.db, other.id)).toEqual({ refused: 'done' });
    expect(await cancelImportJob(t.db, 999)).toBeNull();
  });
});
