// `npm run cli -- secrets rekey`: after rotating SECRET_KEY (the old one moved to
// SECRET_KEY_PREVIOUS), seals every stored secret again under the current key, so the
// retired key can be dropped without losing relay credentials or webhook secrets.
import { edgeConfigSchema } from '../shared/config';
import type { Database } from '../shared/db/database';
import { deriveKeyring, openSealedWithIndex, secretKeysOf } from '../shared/keyring';
import { listSealed, replaceSealed, sealedTables, type Reseal, type SealedTable } from '../shared/queries/sealed-secrets';
import { encryptSecrets } from '../shared/secret-box';
import { commandConfig, UsageError, type Command, type CommandIo } from './command';
import { withDatabase } from './database-config';

const keyConfigSchema = edgeConfigSchema.pick({ SECRET_KEY: true, SECRET_KEY_PREVIOUS: true });

/** What rekeying one table did. */
export interface RekeyCounts {
  resealed: number;
  /** Already sealed under the current key: left as they are, so a second run writes nothing. */
  current: number;
  /** Opened by no key of the keyring; their ids are listed on stderr. */
  unreadable: number;
}

export const secretsCommand: Command = {
  summary: 'rekey: seal every stored secret again under the current SECRET_KEY (after a rotation)',
  usage: 'secrets rekey',
  async run(args, io) {
    const [action, ...rest] = args;
    if (action !== 'rekey') throw new UsageError(action ? `unknown secrets action "${action}"` : 'say what to do: rekey');
    if (rest.length > 0) throw new UsageError(`secrets rekey takes no arguments (got: ${rest.join(' ')})`);
    const secretKeys = secretKeysOf(await deriveKeyring(commandConfig(keyConfigSchema, io)));
    return withDatabase(io, async (db) => {
      let unreadable = 0;
      for (const table of sealedTables) {
        const counts = await rekeyTable(db, table, secretKeys, io);
        io.out(`${table}: ${counts.resealed} resealed, ${counts.current} already current, ${counts.unreadable} unreadable`);
        unreadable += counts.unreadable;
      }
      if (unreadable > 0) {
        io.err('Some secrets open with no key: add the SECRET_KEY they were saved under to SECRET_KEY_PREVIOUS and run again, or save them again through the API.');
        return 1;
      }
      io.err('Every stored secret now opens with SECRET_KEY alone: SECRET_KEY_PREVIOUS is no longer needed for secrets (keep it while links sent under it should work).');
      return 0;
    });
  },
};

/** Reseals one table's rows that a retired key opened, in one transaction. */
export async function rekeyTable(db: Database, table: SealedTable, secretKeys: CryptoKey[], io: Pick<CommandIo, 'err'>): Promise<RekeyCounts> {
  const counts: RekeyCounts = { resealed: 0, current: 0, unreadable: 0 };
  const reseals: Reseal[] = [];
  for (const row of await listSealed(db, table)) {
    const opened = await openSealedWithIndex(secretKeys, row.sealed).catch(() => null);
    if (!opened) {
      counts.unreadable++;
      io.err(`${table} ${row.id}: its secrets open with no key of SECRET_KEY or SECRET_KEY_PREVIOUS; left as it is.`);
    } else if (opened.keyIndex === 0) {
      counts.current++;
    } else {
      reseals.push({ ...row, resealed: await encryptSecrets(secretKeys[0]!, opened.values) });
    }
  }
  counts.resealed = await replaceSealed(db, table, reseals);
  return counts;
}
