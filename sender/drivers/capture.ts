// The local capture inbox: builds the exact MIME a relay would receive and keeps it in the
// database instead of sending it, so a first campaign can be tried without any account.
import type { Database } from '../../shared/db/database';
import { capturedMessages } from '../../shared/db/schema';
import { createMimeBuilder } from '../mime/build-mime';
import type { Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { TEST_MESSAGE_ID } from '../../shared/queries/test-sends';

const capabilities: DriverCapabilities = {
  input: 'raw',
  batchSize: 1,
  tracksDelivery: false,
  signsDkim: false,
  deliveryStatus: false,
};

export function createCaptureDriver(db: Database): Driver {
  const buildMime = createMimeBuilder();

  return {
    name: 'capture',
    async connect() {},
    async send(message: OutgoingMessage): Promise<SendResult> {
      const { raw, envelope } = buildMime(message);
      const [row] = await db
        .insert(capturedMessages)
        .values({ messageId: message.messageId === TEST_MESSAGE_ID ? null : message.messageId, toAddress: envelope.to[0]!, subject: message.subject, raw: raw.toString('utf8') })
        .returning({ id: capturedMessages.id });
      return { providerMessageId: `capture-${row!.id}`, response: 'captured' };
    },
    async getDeliveryStatus() {
      return null;
    },
    getCapabilities: () => capabilities,
    async validateConfig() {
      return [];
    },
    async close() {},
  };
}
