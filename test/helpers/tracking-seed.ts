// The rows a tracking, unsubscribe or stats test needs: lists, subscribers, a sent campaign
// and its messages, written straight to the database.
import type { Database } from '../../shared/db/database';
import { campaignLists, campaigns, listMembers, lists, messages, subscribers } from '../../shared/db/schema';

export interface SeededMessages {
  campaignId: number;
  /** The campaign's two lists. */
  listIds: [number, number];
  /** A list the campaign was not sent to. */
  otherListId: number;
  subscriberIds: number[];
  messageIds: number[];
}

/** A sent campaign to two lists, with `count` subscribers who are also on a third list. */
export async function seedMessages(db: Database, count = 2): Promise<SeededMessages> {
  const listRows = await db.insert(lists).values([{ name: 'News' }, { name: 'Offers' }, { name: 'Other' }]).returning({ id: lists.id });
  const [a, b, other] = listRows.map((l) => l.id) as [number, number, number];
  const people = await db
    .insert(subscribers)
    .values(Array.from({ length: count }, (_, i) => ({ email: `reader${i + 1}@example.com`, name: `Reader ${i + 1}` })))
    .returning({ id: subscribers.id });
  const subscriberIds = people.map((p) => p.id);
  await db.insert(listMembers).values(subscriberIds.flatMap((id) => [a, b, other].map((listId) => ({ listId, subscriberId: id }))));
  const [campaign] = await db
    .insert(campaigns)
    .values({ name: 'Spring', subject: 'Hello', fromAddress: 'news@shop.example.com', format: 'html', body: '<p>Hi</p>', status: 'sent' })
    .returning({ id: campaigns.id });
  const campaignId = campaign!.id;
  await db.insert(campaignLists).values([{ campaignId, listId: a }, { campaignId, listId: b }]);
  const rows = await db
    .insert(messages)
    .values(subscriberIds.map((subscriberId) => ({ campaignId, subscriberId, status: 'sent' as const, sentAt: Date.now() })))
    .returning({ id: messages.id });
  return { campaignId, listIds: [a, b], otherListId: other, subscriberIds, messageIds: rows.map((r) => r.id) };
}
