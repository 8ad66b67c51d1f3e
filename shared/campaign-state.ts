// The campaign state machine as data, shared by the API (marketer actions) and the sender
// plane (dispatcher moves). Every state change is one conditional UPDATE
// (`WHERE status IN (<from>)`), so two racing requests cannot both win.
//
// Who owns which columns:
// - The API writes `status` for the marketer's actions below and never touches `cursor` or
//   `fanout_done`: they are the dispatcher's checkpoint and must survive a pause.
// - `pause` and `cancel` clear `claimed_by` and `lease_until`. A dispatcher still working on
//   the campaign then fails its next conditional write (lease renewal, cursor, finish: all
//   `WHERE claimed_by = <sender> AND status = 'sending'`) and lets go, even if it has not
//   noticed the status change yet. After `resume` the campaign is `queued` (or `scheduled`)
//   with no claim, so any dispatcher claims it afresh, re-enqueues the messages still
//   `queued` (workers leave those of a paused campaign untouched) and carries on from `cursor`.
// - The sender plane's own moves: claim (queued, due scheduled, or sending with a lapsed
//   lease → sending), finish (sending → sent), and pause with a `status_reason` when the
//   sending server cannot send at all (bad settings, refused credentials).
// - The API never writes `messages`: cancelling a campaign of a million recipients must not
//   be a million-row UPDATE inside an HTTP request. Workers end the messages they meet, and
//   the dispatcher sweeps the rest of a cancelled campaign's queued messages.
import type { CampaignStatus } from './db/schema';

export type CampaignAction = 'send' | 'pause' | 'resume' | 'cancel' | 'edit';

export interface CampaignTransition {
  /** States the action is allowed from. */
  from: readonly CampaignStatus[];
  /** The state after the action; null keeps the current one. */
  to: CampaignStatus | null;
  /** The state instead of `to` when the campaign's `sendAt` is still in the future. */
  toWhenScheduled?: CampaignStatus;
  /** Whether the action releases the dispatcher's claim (see above). */
  clearsClaim: boolean;
}

export const finalCampaignStatuses: readonly CampaignStatus[] = ['sent', 'cancelled', 'failed'];

/** What the marketer may do, from where, and where it leads. */
export const campaignTransitions: Record<CampaignAction, CampaignTransition> = {
  send: { from: ['draft'], to: 'queued', toWhenScheduled: 'scheduled', clearsClaim: false },
  pause: { from: ['scheduled', 'queued', 'sending'], to: 'paused', clearsClaim: true },
  // A campaign paused before its send time goes back to waiting for it, not out early.
  resume: { from: ['paused'], to: 'queued', toWhenScheduled: 'scheduled', clearsClaim: false },
  cancel: { from: ['draft', 'scheduled', 'queued', 'sending', 'paused'], to: 'cancelled', clearsClaim: true },
  // Content can change until the dispatcher has started; `sending` and later are frozen.
  edit: { from: ['draft', 'scheduled'], to: null, clearsClaim: false },
};

export type TransitionResult =
  | { allowed: true; to: CampaignStatus }
  | { allowed: false; reason: string };

/** Says whether `action` is allowed from `status` and, if so, which state it leads to. */
export function nextCampaignStatus(
  action: CampaignAction,
  status: CampaignStatus,
  options: { sendAtInFuture?: boolean } = {},
): TransitionResult {
  const transition = campaignTransitions[action];
  if (!transition.from.includes(status)) {
    return {
      allowed: false,
      reason: `Cannot ${action} a campaign that is ${status}; ${action} is allowed only when it is ${transition.from.join(', ')}.`,
    };
  }
  const to = options.sendAtInFuture && transition.toWhenScheduled ? transition.toWhenScheduled : transition.to;
  return { allowed: true, to: to ?? status };
}
