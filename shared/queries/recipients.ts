// The recipients of a campaign, paged by subscriber id (a checkpoint cursor, as listmonk
// does) so a million-subscriber send never loads the table and a crash resumes in place.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';

/**
 * The next `limit` subscriber ids after `cursor` that should get this campaign: subscribed
 * to at least one of its lists, not blocklisted, and not on the suppression list.
 */
export async function nextRecipients(db: Database, campaignId: number, cursor: number, limit: number): Promise<number[]> {
  // Driven from list_members' primary key (list_id, subscriber_id): a range scan per list
  // from the cursor, so a small list in a big database reads only its own rows.
  const rows = await db.all<{ id: number }>(sql`
    select distinct lm.subscriber_id as id
    from campaign_lists cl
    join list_members lm on lm.list_id = cl.list_id and lm.subscriber_id > ${cursor} and lm.status = 'subscribed'
    join subscribers s on s.id = lm.subscriber_id and s.status = 'active'
    where cl.campaign_id = ${campaignId}
      and not exists (select 1 from suppressions sp where sp.email = s.email)
    order by lm.subscriber_id
    limit ${limit}`);
  return rows.map((r) => r.id);
}
