// A sent campaign with `count` messages, one per subscriber, written straight to the
// database: what feedback and tracking events are matched against in the ingest benches.
import type { Database } from '../shared/db/database';
import { campaigns, messages, subscribers } from '../shared/db/schema';

const CHUNK = 500;

/** Inserts the campaign, its subscribers and messages; returns the message ids in order. */
export async function seedSentMessages(db: Database, count: number): Promise<number[]> {
  const [campaign] = await db
    .insert(campaigns)
    .values({ name: 'Ingest', subject: 'Hello', fromAddress: 'news@shop.example.com', format: 'html', body: '<p>Hi</p>', status: 'sent' })
    .returning({ id: campaigns.id });
  const ids: number[] = [];
  for (let from = 0; from < count; from += CHUNK) {
    const people = Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => ({ email: `reader${from + i + 1}@example.com` }));
    const inserted = await db.insert(subscribers).values(people).returning({ id: subscribers.id });
    const rows = await db
      .insert(messages)
      .values(inserted.map((s) => ({ campaignId: campaign!.id, subscriberId: s.id, status: 'sent' as const, sentAt: Date.now() })))
      .returning({ id: messages.id });
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}
