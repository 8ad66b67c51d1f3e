// The bounce inbox after a SECRET_KEY rotation, over real SMTP on loopback: VERP return
// paths and mailto unsubscribe tokens of mail sent under the retired key still count while
// that key is in the keyring (SECRET_KEY_PREVIOUS), and are refused once it is dropped.
import { eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMembers } from '../../shared/db/schema';
import { deriveKeyring, type Keyring } from '../../shared/keyring';
import { signToken } from '../../shared/tokens';
import { verpAddress } from '../../shared/verp';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedMessages, type SeededMessages } from '../../test/helpers/tracking-seed';
import { startBounceInbox, type BounceInbox } from './bounce-inbox';

const OLD = 'old-secret-key-0123456789-0123456789-abc';
const NEW = 'new-secret-key-0123456789-0123456789-xyz';
const BOUNCE = 'bounces@bounce.shop.example';
const quiet = { debug: () => {}, error: () => {} };

describe('bounce inbox after a SECRET_KEY rotation', () => {
  let t: TestDatabase;
  let seed: SeededMessages;
  let inbox: BounceInbox | undefined;
  let oldKeys: Keyring[0];

  beforeEach(async () => {
    t = await createTestDatabase();
    seed = await seedMessages(t.db, 1);
    [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
  });
  afterEach(async () => {
    await inbox?.close();
    inbox = undefined;
    t.close();
  });

  async function startWith(previous: string[]): Promise<BounceInbox> {
    const keyring = await deriveKeyring({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: previous });
    inbox = await startBounceInbox({ db: t.db, keys: keyring[0], keyring, bounceAddress: BOUNCE, host: '127.0.0.1', port: 0, maxBytes: 200_000, log: quiet });
    return inbox;
  }

  function send(port: number, to: string, subject: string) {
    const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    return transport.sendMail({ envelope: { from: '', to }, from: 'mailer-daemon@mta.example.net', to, subject, text: 'Returned mail.\n' }).finally(() => transport.close());
  }

  it('takes mail for a VERP address made under the retired key while it is in the keyring', async () => {
    const address = verpAddress(oldKeys, BOUNCE, seed.messageIds[0]!);
    const { port } = await startWith([OLD]);
    expect((await send(port, address, 'Undelivered Mail Returned to Sender')).accepted).toEqual([address]);
  });

  it('refuses that address once the retired key is dropped', async () => {
    const address = verpAddress(oldKeys, BOUNCE, seed.messageIds[0]!);
    const { port } = await startWith([]);
    await expect(send(port, address, 'Undelivered Mail Returned to Sender')).rejects.toMatchObject({ responseCode: 550 });
  });

  it('unsubscribes on a mailto unsubscribe whose token was signed under the retired key', async () => {
    const token = signToken(oldKeys, { kind: 'unsubscribe', messageId: seed.messageIds[0]! });
    const statuses = async () => (await t.db.select({ status: listMembers.status }).from(listMembers).where(eq(listMembers.listId, seed.listIds[0]))).map((m) => m.status);

    const dropped = await startWith([]);
    await send(dropped.port, 'bounces+unsubscribe@bounce.shop.example', `unsubscribe ${token}`);
    expect(await statuses()).toEqual(['subscribed']);
    await dropped.close();

    const rotated = await startWith([OLD]);
    await send(rotated.port, 'bounces+unsubscribe@bounce.shop.example', `unsubscribe ${token}`);
    expect(await statuses()).toEqual(['unsubscribed']);
  });
});
