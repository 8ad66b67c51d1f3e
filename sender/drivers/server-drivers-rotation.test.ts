// A sending server whose login was saved under the SECRET_KEY before a rotation still sends
// through its relay when the old key is in SECRET_KEY_PREVIOUS, and says what to do without it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveKeyring, secretKeysOf } from '../../shared/keyring';
import { createSendingServer } from '../../shared/queries/sending-servers';
import { encryptSecrets } from '../../shared/secret-box';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink';
import { createServerDrivers } from './server-drivers';

const OLD = 'old-secret-key-0123456789-0123456789-abc';
const NEW = 'new-secret-key-0123456789-0123456789-xyz';
const LOGIN = { user: 'relay-user', pass: 'relay-pass' };

describe('server drivers after a SECRET_KEY rotation', () => {
  let t: TestDatabase;
  let sink: SmtpSink;
  let server: { id: number; updatedAt: number };

  beforeEach(async () => {
    t = await createTestDatabase();
    sink = await startSmtpSink({ auth: LOGIN });
    const [oldKeys] = await deriveKeyring({ SECRET_KEY: OLD });
    server = await createSendingServer(t.db, {
      name: 'relay',
      driver: 'smtp',
      config: { host: '127.0.0.1', port: sink.port, security: 'none' },
      secrets: await encryptSecrets(oldKeys.secrets, LOGIN),
      rate: null,
      domainRates: {},
      isDefault: true,
    });
  });
  afterEach(async () => {
    await sink.close();
    t.close();
  });

  it('sends with the login sealed under the retired key', async () => {
    const drivers = createServerDrivers(t.db, secretKeysOf(await deriveKeyring({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: [OLD] })));
    try {
      const driver = await drivers.get(server.id, server.updatedAt);
      await driver.send({
        messageId: 1,
        from: 'news@shop.example',
        to: 'reader@example.com',
        subject: 'After the rotation',
        text: 'Still here.\n',
        html: null,
        envelopeFrom: 'bounces@shop.example',
        messageIdHeader: '<1.1.k@shop.example>',
        headers: {},
      });
      expect(sink.received.map((m) => m.envelopeTo)).toEqual([['reader@example.com']]);
    } finally {
      await drivers.close();
    }
  });

  it('refuses to build the driver without the retired key, naming SECRET_KEY_PREVIOUS', async () => {
    const drivers = createServerDrivers(t.db, secretKeysOf(await deriveKeyring({ SECRET_KEY: NEW })));
    try {
      await expect(drivers.get(server.id, server.updatedAt)).rejects.toMatchObject({ code: 'ECONFIG', message: expect.stringMatching(/SECRET_KEY_PREVIOUS/) });
    } finally {
      await drivers.close();
    }
  });
});
