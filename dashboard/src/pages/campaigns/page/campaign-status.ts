// What each campaign status means on screen: its label, what the marketer may do from it,
// and how often its live numbers are refreshed. The allowed moves mirror the API's state
// machine (shared/campaign-state.ts, not imported: it would pull the database schema's
// types into the dashboard); the API stays the judge and its refusals are shown as they come.
import type { components } from '../../../api/schema';

export type Campaign = components['schemas']['Campaign'];
export type CampaignSummary = components['schemas']['CampaignSummary'];
export type CampaignStatus = Campaign['status'];
export type CampaignStats = components['schemas']['CampaignStats'];
export type CampaignAction = 'send' | 'pause' | 'resume' | 'cancel';

export const STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  queued: 'Queued',
  sending: 'Sending',
  paused: 'Paused',
  sent: 'Sent',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

const ALLOWED_FROM: Record<CampaignAction, readonly CampaignStatus[]> = {
  send: ['draft'],
  pause: ['scheduled', 'queued', 'sending'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'queued', 'sending', 'paused'],
};


/** The actions the API allows from `status`, in the order the page shows them. */
export function actionsFor(status: CampaignStatus): CampaignAction[] {
  return (['send', 'pause', 'resume', 'cancel'] as const).filter((action) => ALLOWED_FROM[action].includes(status));
}

/** Content can change until the dispatcher starts (the API's `edit` transition). */
export function isEditable(status: CampaignStatus): boolean {
  return status === 'draft' || status === 'scheduled';
}

/** Whether the campaign has messages to count (it reached the dispatcher at some point). */
export function hasStarted(campaign: Pick<Campaign, 'status' | 'startedAt'>): boolean {
  return campaign.startedAt !== null || campaign.status === 'sending' || campaign.status === 'sent';
}

/**
 * How often to refresh the campaign's stats, in ms, or false to stop: every 2 s while it
 * moves, slowly while it waits (for its send time, or paused: late outcomes of messages in
 * flight may still land), never once it is final or still a draft.
 */
export function pollInterval(status: CampaignStatus | undefined): number | false {
  if (status === 'queued' || status === 'sending') return 2_000;
  if (status === 'scheduled' || status === 'paused') return 15_000;
  return false;
}

/** Messages that have their outcome (sent, failed or skipped), for the progress bar. */
export function processed(stats: Pick<CampaignStats, 'sent' | 'failed' | 'skipped'>): number {
  return stats.sent + stats.failed + stats.skipped;
}
