// The least a tracking token needs to be recorded: one message row, with the subscriber and
// the campaign it belongs to.
import { campaigns, messages, subscribers } from '../../shared/db/schema';
import type { Database } from '../../shared/db/database';

/** Inserts a sent message to a fresh subscriber and returns its id. */
export async function insertMessageRow(db: Database, email = `reader-${crypto.randomUUID()}@example.com`): Promise<number> {
  const [subscriber] = await db.insert(subscribers).values({ email }).returning({ id: subscribers.id });
  const [campaign] = await db
    .insert(campaigns)
    .values({ name: 'Hosts', subject: 'Hello', fromAddress: 'news@shop.example.com', format: 'html', body: '<p>Hi</p>', status: 'sent' })
    .returning({ id: campaigns.id });
  const [message] = await db
    .insert(messages)
    .values({ campaignId: campaign!.id, subscriberId: subscriber!.id, status: 'sent', sentAt: Date.now() })
    .returning({ id: messages.id });
  return message!.id;
}
