// Compiled campaigns, one per campaign id: MJML compiles and Liquid parses once per
// campaign, never per recipient. A campaign's content cannot change once it is sending,
// so entries need no invalidation beyond an upper bound on how many are kept. Its tracking
// (mode and domain) was fixed on the campaign when it left draft (shared/queries/campaigns.ts),
// so every sender, restarted or not, tracks all of a campaign's messages alike; only a draft
// (never sent by workers, but compiled the same way) follows the install's current settings.
import { eq } from 'drizzle-orm';
import type { Database } from '../shared/db/database';
import { campaigns, type CampaignStatus } from '../shared/db/schema';
import { campaignRenderColumns } from '../shared/queries/campaigns';
import { getSettings } from '../shared/queries/settings';
import { compileCampaign, type CompiledCampaign, type TrackingPolicy } from '../shared/render/compile-campaign';
import type { Mjml2Html } from '../shared/render/mjml';
import type { Settings } from '../shared/settings';

const MAX_ENTRIES = 64;

export interface CampaignCache {
  get(campaignId: number): Promise<CompiledCampaign>;
}

/** The campaign's tracking as it was fixed when it left draft (docs/tracking.md). */
interface CampaignTracking {
  tracking: TrackingPolicy['mode'] | null;
  trackingDomain: string | null;
  /** Omitted: treated as a draft. */
  status?: CampaignStatus;
}

/**
 * A campaign's effective tracking. A draft's null means the install's setting. Past draft
 * the values were fixed: a null domain means PUBLIC_URL, and a null mode (a campaign that
 * left draft before modes existed, when every campaign was tracked) means `on`.
 */
export function trackingPolicy(campaign: CampaignTracking, settings: Pick<Settings, 'tracking' | 'trackingDomain'>): TrackingPolicy {
  if (campaign.status !== undefined && campaign.status !== 'draft') return { mode: campaign.tracking ?? 'on', domain: campaign.trackingDomain };
  return { mode: campaign.tracking ?? settings.tracking, domain: campaign.trackingDomain ?? settings.trackingDomain };
}

export function createCampaignCache(db: Database, mjml2html: Mjml2Html): CampaignCache {
  // Promises, so concurrent jobs of a campaign share one compilation.
  const entries = new Map<number, Promise<CompiledCampaign>>();

  async function compile(campaignId: number): Promise<CompiledCampaign> {
    const [[row], settings] = await Promise.all([
      db
        .select(campaignRenderColumns)
        .from(campaigns)
        .where(eq(campaigns.id, campaignId)),
      getSettings(db),
    ]);
    if (!row) throw new Error(`campaign ${campaignId} does not exist`);
    const { tracking, trackingDomain, status, ...source } = row;
    return compileCampaign({ ...source, trackingPolicy: trackingPolicy({ tracking, trackingDomain, status }, settings) }, mjml2html);
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
