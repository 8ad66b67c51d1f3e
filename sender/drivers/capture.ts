// The local capture inbox: builds the exact MIME a relay would receive and keeps it in the
// database instead of sending it, so a first campaign can be tried without any account.
import { createTransport } from 'nodemailer';
import type { Database } from '../../shared/db/database';
import { capturedMessages } from '../../shared/db/schema';
import type { Driver, DriverCapabilities, OutgoingMessage, SendResult } from './driver';
import { recipientAddress, toMailOptions } from './mail-options';

const capabilities: DriverCapabilities = {
  input: 'raw',
  batchSize: 1,
  tracksDelivery: false,
  signsDkim: false,
  deliveryStatus: false,
};

export function createCaptureDriver(db: Database): Driver {
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  return {
    name: 'capture',
    async connect() {},
    async send(message: OutgoingMessage): Promise<SendResult> {
      const info = await composer.sendMail(toMailOptions(message));
      const raw = (info.message as Buffer).toString('utf8');
      const [row] = await db
        .insert(capturedMessages)
        .values({ messageId: message.messageId, toAddress: recipientAddress(message.to), subject: message.subject, raw })
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
    async close() {
      composer.close();
    },
  };
}
