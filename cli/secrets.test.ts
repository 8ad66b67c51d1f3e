// `secrets rekey` on a real database: every secret saved under the retired SECRET_KEY opens
// with the new key alone afterwards, a second run writes nothing, and a secret no key opens
// is reported and left alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { relayWebhooks, sendingServers, webhookEndpoints } from '../shared/db/schema';
import { deriveKeyring, openSealedSecrets } from '../shared/keyring';
import { listSealed, sealedTables } from '../shared/queries/sealed-secrets';
import { encryptSecrets } from '../shared/secret-box';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { secretsCommand } from './secrets';

const OLD = 'old-secret-key-0123456789-0123456789-abc';
const NEW = 'new-secret-key-0123456789-0123456789-xyz';
const LOST = 'lost-secret-key-0123456789-0123456789-q';

describe('secrets rekey', () => {
  let t: TestDatabase;

  beforeEach(async () => {
    t = await createTestDatabase();
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    const [newKeys] = await deriveKeyring({ SECRET_KEY: NEW });
    const [lostKeys] = await deriveKeyring({ SECRET_KEY: LOST });
    await t.db.insert(sendingServers).values([
      { name: 'old', driver: 'smtp', config: {}, secrets: await encryptSecrets(oldKeys.secrets, { user: 'u', pass: 'old-pass' }) },
      { name: 'new', driver: 'smtp', config: {}, secrets: await encryptSecrets(newKeys.secrets, { user: 'u', pass: 'new-pass' }) },
      { name: 'none', driver: 'capture', config: {}, secrets: null },
    ]);
    await t.db.insert(relayWebhooks).values([
      { provider: 'mailgun', name: 'old', secrets: await encryptSecrets(oldKeys.secrets, { signingKey: 'mg-key' }) },
      { provider: 'mailgun', name: 'lost', secrets: await encryptSecrets(lostKeys.secrets, { signingKey: 'gone' }) },
    ]);
    await t.db.insert(webhookEndpoints).values({ url: 'https://hooks.example.com/in', events: ['message.bounced'], secret: await encryptSecrets(oldKeys.secrets, { current: 'whsec_x' }) });
  });
  afterEach(() => t.close());

  async function rekey(env: Record<string, string>) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await secretsCommand.run(['rekey'], { env: { DATABASE_URL: t.url, ...env }, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  const sealedTexts = async () => Promise.all(sealedTables.map((table) => listSealed(t.db, table)));

  it('reseals what the retired key opens, per table, and reports what it could not open', async () => {
    const first = await rekey({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD });
    expect(first.out).toEqual([
      'sending_servers: 1 resealed, 1 already current, 0 unreadable',
      'relay_webhooks: 1 resealed, 0 already current, 1 unreadable',
      'webhook_endpoints: 1 resealed, 0 already current, 0 unreadable',
    ]);
    expect(first.code).toBe(1);
    expect(first.err.join('\n')).toMatch(/relay_webhooks 2: .*SECRET_KEY_PREVIOUS/);

    const [newKeys] = await deriveKeyring({ SECRET_KEY: NEW });
    const [servers, relays, endpoints] = await sealedTexts();
    expect(await Promise.all(servers!.map((r) => openSealedSecrets([newKeys.secrets], r.sealed)))).toEqual([
      { user: 'u', pass: 'old-pass' },
      { user: 'u', pass: 'new-pass' },
    ]);
    expect(await openSealedSecrets([newKeys.secrets], relays![0]!.sealed)).toEqual({ signingKey: 'mg-key' });
    await expect(openSealedSecrets([newKeys.secrets], relays![1]!.sealed)).rejects.toThrow(/SECRET_KEY changed/);
    expect(await openSealedSecrets([newKeys.secrets], endpoints![0]!.sealed)).toEqual({ current: 'whsec_x' });
  });

  it('writes nothing on a second run, and succeeds once every secret opens with SECRET_KEY alone', async () => {
    await t.db.delete(relayWebhooks);
    expect((await rekey({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD })).code).toBe(0);
    const before = await sealedTexts();
    const again = await rekey({ SECRET_KEY: NEW });
    expect(again.code).toBe(0);
    expect(again.out).toEqual([
      'sending_servers: 0 resealed, 2 already current, 0 unreadable',
      'relay_webhooks: 0 resealed, 0 already current, 0 unreadable',
      'webhook_endpoints: 0 resealed, 1 already current, 0 unreadable',
    ]);
    expect(await sealedTexts()).toEqual(before);
  });

  it('refuses other actions with the usage, before touching the database', async () => {
    await expect(secretsCommand.run(['rotate'], { env: {}, out: () => {}, err: () => {} })).rejects.toThrow(/unknown secrets action "rotate"/);
  });
});
