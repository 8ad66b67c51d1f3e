// The capture inbox keeps exactly the MIME a relay would receive, in a real libSQL file.
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedMessages } from '../../shared/db/schema';
import { formatMailbox } from '../../shared/render/email-address';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { createCaptureDriver } from './capture';

describe('capture driver', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.close());

  it('stores the built message with its recipient and subject', async () => {
    const driver = createCaptureDriver(t.db);
    const result = await driver.send({
      messageId: 9,
      from: formatMailbox('Shop', 'news@shop.example'),
      to: formatMailbox('Zoë', 'zoe@example.com'),
      subject: 'Grüße',
      text: 'Hallo Zoë\n',
      html: '<p>Hallo Zoë</p>',
      envelopeFrom: 'bounces+9-0123456789ab@shop.example',
      messageIdHeader: '<9.1.k1@shop.example>',
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    const [row] = await t.db.select().from(capturedMessages);
    expect(result.providerMessageId).toBe(`capture-${row!.id}`);
    expect(row).toMatchObject({ messageId: 9, toAddress: 'zoe@example.com', subject: 'Grüße' });
    const mail = await simpleParser(row!.raw);
    expect(mail.subject).toBe('Grüße');
    expect(mail.text).toBe('Hallo Zoë\n');
    expect(mail.html).toBe('<p>Hallo Zoë</p>');
    expect(row!.raw).toMatch(/^Message-ID: <9\.1\.k1@shop\.example>\r$/m);
  });
});
