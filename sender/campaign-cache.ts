// Compiled campaigns, one per campaign id: MJML compiles and Liquid parses once per
// campaign, never per recipient. A campaign's content cannot change once it is sending,
// so entries need no invalidation beyond an upper bound on how many are kept.
import { eq } from 'drizzle-orm';
import type { Database } from '../shared/db/database';
import { campaigns } from '../shared/db/schema';
import { compileCampaign, type CompiledCampaign } from '../shared/render/compile-campaign';
import type { Mjml2Html } from '../shared/render/mjml';

const MAX_ENTRIES = 64;

export interface CampaignCache {
  get(campaignId: number): Promise<CompiledCampaign>;
}

export function createCampaignCache(db: Database, mjml2html: Mjml2Html): CampaignCache {
  // Promises, so concurrent jobs of a campaign share one compilation.
  const entries = new Map<number, Promise<CompiledCampaign>>();

  async function compile(campaignId: number): Promise<CompiledCampaign> {
    const [source] = await db
      .select({
        id: campaigns.id,
        name: campaigns.name,
        subject: campaigns.subject,
        fromAddress: campaigns.fromAddress,
        format: campaigns.format,
        body: campaigns.body,
      })
      .from(campaigns)
      .where(eq(campaigns.id, campaignId));
    if (!source) throw new Error(`campaign ${campaignId} does not exist`);
    return compileCampaign(source, mjml2html);
  }

  return {
    get: function getCompiledCampaign(campaignId) {
      let entry = entries.get(campaignId);
      if (!entry) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        entry = compile(campaignId);
        // A failed compilation is not cached: the next job tries again.
        entry.catch(() => entries.delete(campaignId));
        entries.set(campaignId, entry);
      }
      return entry;
    },
  };
}
