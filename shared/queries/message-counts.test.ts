import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { seedCampaign } from '../../test/helpers/seed';
import { campaignMessageCounts as countsTable, campaigns, messages, messageStatuses, subscribers, type MessageStatus } from '../db/schema';
import { campaignMessageCounts, type MessageCounts } from './message-counts';
import { cancelQueuedOfCancelledCampaigns, createMessages, markMessageFinal, markMessageRetrying, markMessagesSent, type SentOutcome } from './messages';
import { deleteSubscriber } from './subscribers';

// Addresses whose domains test the rule: after the last '@', lower-cased.
const EMAILS = ['a@Gmail.com', 'b@gmail.com', 'c@yahoo.com', '"odd@name"@Corp.Example', 'd@corp.example', 'e@mail.example.org'];

/** The counts as a `group by` over the messages table would give them, domains computed in JS, biggest domain first. */
async function countedFromMessages(t: TestDatabase, campaignId: number): Promise<MessageCounts> {
  const rows = await t.db
    .select({ status: messages.status, email: subscribers.email })
    .from(messages)
    .innerJoin(subscribers, eq(subscribers.id, messages.subscriberId))
    .where(eq(messages.campaignId, campaignId));
  const zero = (): Record<MessageStatus, number> => ({ queued: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 });
  const byStatus = zero();
  const perDomain = new Map<string, Record<MessageStatus, number>>();
  for (const { status, email } of rows) {
    byStatus[status]++;
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    const counts = perDomain.get(domain) ?? zero();
    counts[status]++;
    perDomain.set(domain, counts);
  }
  const size = (c: Record<MessageStatus, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const byDomain = [...perDomain]
    .sort(([a, ca], [b, cb]) => size(cb) - size(ca) || (a < b ? -1 : 1))
    .flatMap(([domain, c]) => messageStatuses.filter((s) => c[s] > 0).map((status) => ({ domain, status, n: c[status] })));
  return { byStatus, byDomain };
}

describe('campaign message counts', () => {
  let t: TestDatabase;
  let campaignId: number;
  let subscriberIds: number[];

  beforeEach(async () => {
    t = await createTestDatabase();
    const seeded = await seedCampaign(t.db, { subscribers: 24 });
    campaignId = seeded.campaign.id;
    subscriberIds = seeded.subscribers.map((s) => s.id);
    for (const [i, id] of subscriberIds.entries()) {
      const email = EMAILS[i % EMAILS.length]!.replace('@', `${i}@`);
      await t.db.update(subscribers).set({ email }).where(eq(subscribers.id, id));
    }
  });
  afterEach(() => t.close());

  const expectExact = async () => expect(await campaignMessageCounts(t.db, campaignId, 100)).toEqual(await countedFromMessages(t, campaignId));
  const messageIds = async () => (await t.db.select({ id: messages.id }).from(messages).orderBy(messages.id)).map((m) => m.id);
  const sent = (ids: number[]): SentOutcome[] => ids.map((messageId) => ({ messageId, attempts: 1, providerMessageId: `<${messageId}@relay>`, serverId: 1 }));

  it('follows every status change of a campaign, repeats and retries included', async () => {
    // Two pages that overlap, the first one twice (a dispatcher that crashed before its cursor moved).
    await createMessages(t.db, campaignId, subscriberIds.slice(0, 10));
    await createMessages(t.db, campaignId, subscriberIds.slice(0, 10));
    await createMessages(t.db, campaignId, [...subscriberIds.slice(8, 20), subscriberIds[12]!]);
    await expectExact();
    expect((await campaignMessageCounts(t.db, campaignId)).byStatus.queued).toBe(20);

    const ids = await messageIds();
    await markMessageRetrying(t.db, ids[0]!, 1, '421 try later');
    await markMessagesSent(t.db, sent(ids.slice(0, 6)));
    await markMessagesSent(t.db, sent(ids.slice(0, 6))); // the same batch again
    // Overlapping batches at once: each counts only what it changes.
    await Promise.all([markMessagesSent(t.db, sent(ids.slice(5, 9))), markMessagesSent(t.db, sent(ids.slice(7, 11)))]);
    await expectExact();

    await markMessageFinal(t.db, ids[11]!, 'failed', 3, '550 no such user');
    await markMessageFinal(t.db, ids[11]!, 'failed', 3, '550 no such user');
    await markMessageFinal(t.db, ids[12]!, 'skipped', 0, 'address is on the suppression list');
    await markMessageFinal(t.db, ids[0]!, 'cancelled', 1, 'already sent: no change');
    await expectExact();

    // Cancel: the sweep ends the rest a few at a time; the workers' own cancels race it.
    await t.db.update(campaigns).set({ status: 'cancelled' }).where(eq(campaigns.id, campaignId));
    await markMessageFinal(t.db, ids[13]!, 'cancelled', 0, 'campaign is cancelled');
    let swept = 0;
    for (let n; (n = await cancelQueuedOfCancelledCampaigns(t.db, 3)) > 0; ) swept += n;
    expect(swept).toBe(20 - 11 - 3);
    await expectExact();
    const counts = await campaignMessageCounts(t.db, campaignId);
    expect(counts.byStatus).toEqual({ queued: 0, sent: 11, failed: 1, skipped: 1, cancelled: 7 });
    expect(counts.byDomain.some((d) => d.domain === 'corp.example')).toBe(true);
  });

  it('records as sent a message the cancel sweep ended while a worker was sending it', async () => {
    await createMessages(t.db, campaignId, subscriberIds.slice(0, 6));
    const ids = await messageIds();
    await markMessagesSent(t.db, sent(ids.slice(0, 2)));
    await markMessageFinal(t.db, ids[2]!, 'failed', 1, '550 no such user');
    // Cancelled while ids[3] and ids[4] are on the wire.
    await t.db.update(campaigns).set({ status: 'cancelled' }).where(eq(campaigns.id, campaignId));
    expect(await cancelQueuedOfCancelledCampaigns(t.db, 100)).toBe(3);
    await markMessagesSent(t.db, sent(ids.slice(2, 5))); // the relay accepted both; ids[2] had failed
    await markMessagesSent(t.db, sent(ids.slice(3, 5))); // the same outcomes again
    await expectExact();
    const rows = await t.db.select({ id: messages.id, status: messages.status, lastError: messages.lastError }).from(messages).orderBy(messages.id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'failed', 'sent', 'sent', 'cancelled']);
    expect(rows[3]!.lastError).toBeNull();
    expect((await campaignMessageCounts(t.db, campaignId)).byStatus).toEqual({ queued: 0, sent: 4, failed: 1, skipped: 0, cancelled: 1 });
  });

  it('keeps the counts of a deleted subscriber (history), a queued message of theirs as cancelled', async () => {
    await createMessages(t.db, campaignId, subscriberIds.slice(0, 6));
    const ids = await messageIds();
    await markMessagesSent(t.db, sent(ids.slice(0, 3)));
    const before = await campaignMessageCounts(t.db, campaignId, 100);
    expect(await deleteSubscriber(t.db, subscriberIds[0]!)).toBe(true); // a message sent
    expect(await deleteSubscriber(t.db, subscriberIds[4]!)).toBe(true); // a message queued
    expect(await t.db.$count(messages)).toBe(4);
    const after = await campaignMessageCounts(t.db, campaignId, 100);
    expect(after.byStatus).toEqual({ ...before.byStatus, queued: 2, cancelled: 1 });
    expect(after.byDomain).toContainEqual({ domain: 'corp.example', status: 'cancelled', n: 1 });
  });

  it('lists only the biggest domains, biggest first, and totals them all', async () => {
    await createMessages(t.db, campaignId, subscriberIds);
    const { byStatus, byDomain } = await campaignMessageCounts(t.db, campaignId, 2);
    expect(byStatus.queued).toBe(24);
    // 8 addresses at gmail.com (two spellings), 8 at corp.example, 4 each at the others.
    expect(byDomain).toEqual([
      { domain: 'corp.example', status: 'queued', n: 8 },
      { domain: 'gmail.com', status: 'queued', n: 8 },
    ]);
    expect(await campaignMessageCounts(t.db, campaignId, 0)).toEqual({ byStatus, byDomain: [] });
  });

  it('is all zeros for a campaign with no messages', async () => {
    expect(await campaignMessageCounts(t.db, 999_999)).toEqual({ byStatus: { queued: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 }, byDomain: [] });
  });

  it("migration 0012's backfill counts the messages already stored", async () => {
    await createMessages(t.db, campaignId, subscriberIds);
    const ids = await messageIds();
    await markMessagesSent(t.db, sent(ids.slice(0, 15)));
    await markMessageFinal(t.db, ids[20]!, 'failed', 1, '550');
    await t.db.delete(countsTable);
    const migration = readFileSync(new URL('../../migrations/0012_campaign-counters.sql', import.meta.url), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((s) => /INSERT INTO `campaign_message_counts`/.test(s));
    await t.db.run(sql.raw(backfill!));
    await expectExact();
  });
});
