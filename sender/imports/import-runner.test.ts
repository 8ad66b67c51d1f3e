import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { waitFor } from '../../test/helpers/sender';
import type { Database } from '../../shared/db/database';
import { lists, suppressions } from '../../shared/db/schema';
import { cancelImportJob, claimImportJob, createImportJob, getImportJob, type ImportOptions } from '../../shared/queries/imports';
import { createImportRunner } from './import-runner';
import { runImport, type ImportWork } from './run-import';

describe('import runner', () => {
  let t: TestDatabase;
  let listId: number;
  beforeEach(async () => {
    t = await createTestDatabase();
    listId = (await t.db.insert(lists).values({ name: 'News' }).returning({ id: lists.id }))[0]!.id;
  });
  afterEach(() => t.close());

  const addJob = (csv: string, options: Partial<ImportOptions> = {}) =>
    createImportJob(t.db, {
      fileName: 'people.csv',
      listIds: [listId],
      mapping: { Email: 'email', Name: 'name', City: 'attributes.city' },
      options: { existing: 'update', delimiter: ',', encoding: 'utf-8', ...options },
      csv,
    });
  const people = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `person${from + i}@example.com,Person ${from + i},City ${from + i}\n`).join('');
  const count = async (sql: string) => Number((await t.client.execute(sql)).rows[0]!.n);
  const work = (db: Database, extra: Partial<ImportWork> = {}): ImportWork => ({ db, senderId: 'sender-a', leaseMs: 60_000, chunkSize: 100, stopping: () => false, ...extra });

  /** The database, with `before(n)` run ahead of its n-th batch (a failure there is a crash mid-write). */
  function hookBatches(before: (n: number) => Promise<void>): Database {
    let calls = 0;
    return new Proxy(t.db, {
      get(target, prop, receiver) {
        if (prop !== 'batch') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<Database['batch']>) => {
          await before(++calls);
          return target.batch(...args);
        };
      },
    });
  }

  it('imports a file: good rows to the list, every bad row reported with its spreadsheet row and reason', async () => {
    await t.db.insert(suppressions).values({ email: 'person7@example.com', reason: 'hard_bounce' });
    const csv = [
      'Email,Name,City\r\n',
      people(250).replace(/\n/g, '\r\n'),
      '"person3@EXAMPLE.com","Again, person 3",Lyon\r\n', // row 252: the file gave this address at row 4
      '\r\n', // row 253: blank, neither counted nor rejected
      'not-an-address,Nobody,Nowhere\r\n', // row 254
      '"multi@example.com","Two\r\nlines",Nice\r\n', // row 255: one row, two lines
      ',Nameless,Paris\r\n', // row 256
    ].join('');
    const job = await addJob(csv);
    const runner = createImportRunner({ db: t.db, senderId: 'sender-a', leaseMs: 60_000, chunkSize: 100, idleMs: 20 });
    runner.start();
    try {
      const done = await waitFor('import done', async () => {
        const current = await getImportJob(t.db, job.id);
        return current?.status === 'done' ? current : undefined;
      });
      expect(done).toMatchObject({ totalRows: 254, processedRows: 254, insertedRows: 251, updatedRows: 0, rejectedRows: 3, error: null });
      expect(done.rejects).toEqual([
        { row: 252, reason: 'the same address as row 4: an address is imported once, from its first row' },
        { row: 254, reason: 'email "not-an-address": email must be an address like name@example.com' },
        { row: 256, reason: 'no email address' },
      ]);
    } finally {
      await runner.stop();
    }
    expect(await count(`select count(*) as n from list_members where list_id = ${listId} and status = 'subscribed'`)).toBe(251);
    const multi = (await t.client.execute("select name, attributes from subscribers where email = 'multi@example.com'")).rows[0]!;
    expect({ ...multi }).toEqual({ name: 'Two\r\nlines', attributes: '{"city":"Nice"}' });
    // The first row of person 3 won; the suppressed address is a subscriber and still suppressed.
    expect((await t.client.execute("select name from subscribers where email = 'person3@example.com'")).rows[0]!.name).toBe('Person 3');
    expect(await count("select count(*) as n from suppressions where email = 'person7@example.com'")).toBe(1);
    expect(await count('select count(*) as n from import_files')).toBe(0);
  });

  it("resumes a dead sender's job from its processed rows, counting nothing twice", async () => {
    const job = await addJob(`Email,Name,City\n${people(50)}bad-address,x,y\n${people(950, 51)}person5@example.com,dup,x\n`);
    // Sender A writes two chunks, then dies while writing the third.
    const crashing = hookBatches(async (n) => {
      if (n === 3) throw new Error('the process died');
    });
    await expect(runImport(work(crashing), (await claimImportJob(t.db, 'sender-a', 60_000))!)).rejects.toThrow('the process died');
    expect(await getImportJob(t.db, job.id)).toMatchObject({ status: 'running', processedRows: 200, insertedRows: 199, rejectedRows: 1 });

    // Its lease lapses; sender B takes the job over and goes on from row 200.
    expect(await claimImportJob(t.db, 'sender-b', 60_000)).toBeNull();
    await t.client.execute(`update import_jobs set lease_until = ${Date.now() - 1}`);
    const taken = (await claimImportJob(t.db, 'sender-b', 60_000))!;
    expect(taken.processedRows).toBe(200);
    let batches = 0;
    const counting = hookBatches(async () => {
      batches++;
    });
    await runImport(work(counting, { senderId: 'sender-b' }), taken);

    // Had B started again from the top, the first 200 addresses would count as updated.
    expect(await getImportJob(t.db, job.id)).toMatchObject({ status: 'done', totalRows: 1002, processedRows: 1002, insertedRows: 1000, updatedRows: 0, rejectedRows: 2 });
    // B read the rejected row that A had written again, to report it with the rest.
    expect((await getImportJob(t.db, job.id))!.rejects).toEqual([
      { row: 52, reason: 'email "bad-address": email must be an address like name@example.com' },
      { row: 1003, reason: 'the same address as row 6: an address is imported once, from its first row' },
    ]);
    expect(batches).toBe(9); // data rows 201-1002 in chunks of 100
    expect(await count('select count(*) as n from subscribers')).toBe(1000);
    expect(await count('select count(*) as n from list_members')).toBe(1000);
  });

  it('hands the job back when the sender stops, for the next one to finish', async () => {
    const job = await addJob(`Email,Name,City\n${people(450)}`);
    let chunks = 0;
    await runImport(work(t.db, { stopping: () => ++chunks >= 2 }), (await claimImportJob(t.db, 'sender-a', 60_000))!);
    expect(await getImportJob(t.db, job.id)).toMatchObject({ status: 'running', processedRows: 200 });
    expect({ ...(await t.client.execute('select claimed_by, lease_until from import_jobs')).rows[0] }).toEqual({ claimed_by: null, lease_until: null });

    await runImport(work(t.db, { senderId: 'sender-b' }), (await claimImportJob(t.db, 'sender-b', 60_000))!);
    expect(await getImportJob(t.db, job.id)).toMatchObject({ status: 'done', processedRows: 450, insertedRows: 450 });
  });

  it('stops at the next chunk when the import is cancelled, keeping what was written', async () => {
    const job = await addJob(`Email,Name,City\n${people(500)}`);
    const cancelling = hookBatches(async (n) => {
      if (n === 2) await cancelImportJob(t.db, job.id);
    });
    await runImport(work(cancelling), (await claimImportJob(t.db, 'sender-a', 60_000))!);
    expect(await getImportJob(t.db, job.id)).toMatchObject({
      status: 'cancelled',
      processedRows: 100,
      error: 'Cancelled after 100 of 500 rows; rows already imported stay.',
    });
    expect(await count('select count(*) as n from subscribers')).toBe(100);
  });

  it('fails a file with a CSV syntax error before writing anything, saying where', async () => {
    const job = await addJob(`Email,Name,City\n${people(300)}"broken@example.com,Oops,Lyon\n${people(10, 400)}`);
    await runImport(work(t.db), (await claimImportJob(t.db, 'sender-a', 60_000))!);
    expect(await getImportJob(t.db, job.id)).toMatchObject({
      status: 'failed',
      processedRows: 0,
      error: expect.stringMatching(/^A quoted field is never closed \(line \d+\): add the missing " or remove the stray one\.$/),
    });
    expect(await count('select count(*) as n from subscribers')).toBe(0);
    expect(await count('select count(*) as n from import_files')).toBe(0);
  });

  it('updates existing subscribers, or leaves them be, as the options say', async () => {
    await t.client.execute(`insert into subscribers (email, name, attributes) values ('person1@example.com', 'Kept', '{"city":"Old","vip":"yes"}')`);
    const skip = await addJob(`Email,Name,City\n${people(2)}`, { existing: 'skip', status: 'unconfirmed' });
    await runImport(work(t.db), (await claimImportJob(t.db, 'sender-a', 60_000))!);
    expect(await getImportJob(t.db, skip.id)).toMatchObject({ status: 'done', insertedRows: 1, updatedRows: 0, processedRows: 2 });
    expect(await count(`select count(*) as n from list_members where status = 'unconfirmed'`)).toBe(2);
    expect({ ...(await t.client.execute("select name, attributes from subscribers where email = 'person1@example.com'")).rows[0] }).toEqual({ name: 'Kept', attributes: '{"city":"Old","vip":"yes"}' });

    const update = await addJob(`Email,Name,City\n${people(2)}`);
    await runImport(work(t.db), (await claimImportJob(t.db, 'sender-a', 60_000))!);
    expect(await getImportJob(t.db, update.id)).toMatchObject({ status: 'done', insertedRows: 0, updatedRows: 2 });
    expect({ ...(await t.client.execute("select name, attributes from subscribers where email = 'person1@example.com'")).rows[0] }).toEqual({ name: 'Person 1', attributes: '{"city":"City 1","vip":"yes"}' });
  });
});
