import { describe, expect, it } from 'vitest';
import { campaignStatuses } from './db/schema';
import { campaignTransitions, finalCampaignStatuses, nextCampaignStatus } from './campaign-state';

describe('campaign state machine', () => {
  it('sends a draft now or at its time, and nothing else', () => {
    expect(nextCampaignStatus('send', 'draft')).toEqual({ allowed: true, to: 'queued' });
    expect(nextCampaignStatus('send', 'draft', { sendAtInFuture: true })).toEqual({ allowed: true, to: 'scheduled' });
    for (const status of campaignStatuses.filter((s) => s !== 'draft')) {
      expect(nextCampaignStatus('send', status).allowed, status).toBe(false);
    }
  });

  it('pauses queued, scheduled and sending campaigns; resumes to queued, or scheduled before the send time', () => {
    for (const status of ['queued', 'scheduled', 'sending'] as const) expect(nextCampaignStatus('pause', status)).toEqual({ allowed: true, to: 'paused' });
    expect(nextCampaignStatus('pause', 'draft')).toMatchObject({ allowed: false, reason: expect.stringContaining('scheduled, queued, sending') });
    expect(nextCampaignStatus('resume', 'paused')).toEqual({ allowed: true, to: 'queued' });
    expect(nextCampaignStatus('resume', 'paused', { sendAtInFuture: true })).toEqual({ allowed: true, to: 'scheduled' });
    expect(nextCampaignStatus('resume', 'sending').allowed).toBe(false);
  });

  it('cancels anything not final, and edits only drafts and scheduled campaigns in place', () => {
    for (const status of campaignStatuses) {
      expect(nextCampaignStatus('cancel', status).allowed, status).toBe(!finalCampaignStatuses.includes(status));
    }
    expect(nextCampaignStatus('edit', 'scheduled')).toEqual({ allowed: true, to: 'scheduled' });
    expect(nextCampaignStatus('edit', 'draft')).toEqual({ allowed: true, to: 'draft' });
    expect(nextCampaignStatus('edit', 'sending')).toEqual({
      allowed: false,
      reason: 'Cannot edit a campaign that is sending; edit is allowed only when it is draft, scheduled.',
    });
  });

  it('never leaves a final state and releases the claim exactly on pause and cancel', () => {
    for (const t of Object.values(campaignTransitions)) {
      for (const s of finalCampaignStatuses) expect(t.from).not.toContain(s);
    }
    const releasing = Object.entries(campaignTransitions).filter(([, t]) => t.clearsClaim).map(([a]) => a);
    expect(releasing).toEqual(['pause', 'cancel']);
  });
});
