// What the marketer can do from the campaign's current state: edit (until it starts), send
// or schedule and cancel (each confirmed first), pause and resume. The API's refusal (a 409
// when the state moved underneath, a 403 for a viewer) is shown as it came.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { dataOf } from '../../../api/api-call';
import type { ApiClient } from '../../../api/client';
import { useSession } from '../../../api/session';
import { FormAlert } from '../../../components/form-alert';
import { useListNames } from './campaign-queries';
import { actionsFor, isEditable, type Campaign, type CampaignAction } from './campaign-status';
import { ConfirmButton } from '../../../components/confirm-button';
import { formatCount, formatTime } from '../../../format';

function callAction(api: ApiClient, id: number, action: CampaignAction) {
  const params = { params: { path: { id } } };
  switch (action) {
    case 'send':
      return api.POST('/api/campaigns/{id}/send', params);
    case 'pause':
      return api.POST('/api/campaigns/{id}/pause', params);
    case 'resume':
      return api.POST('/api/campaigns/{id}/resume', params);
    case 'cancel':
      return api.POST('/api/campaigns/{id}/cancel', params);
  }
}

export function CampaignActions({ campaign, canWrite }: { campaign: Campaign; canWrite: boolean }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: async (action: CampaignAction) => {
      setAlert(null);
      return dataOf(await callAction(api, campaign.id, action));
    },
    onSuccess: (updated) => queryClient.setQueryData(['campaign', campaign.id], updated),
    onError: (err) => setAlert(err.message),
    // Refused or not, the campaign may have moved: read it again with its numbers.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['campaign', campaign.id] });
      void queryClient.invalidateQueries({ queryKey: ['campaign-stats', campaign.id] });
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
  const perform = (action: CampaignAction) => run.mutateAsync(action).catch(() => undefined);
  const actions = canWrite ? actionsFor(campaign.status) : [];
  if (!canWrite) return <p className="hint">You can look at this campaign; sending and editing need the editor role.</p>;
  if (actions.length === 0 && !isEditable(campaign.status) && !alert) return null;

  return (
    <div className="campaign-actions">
      <FormAlert message={alert} />
      <div className="button-row" role="group" aria-label="Campaign actions">
        {isEditable(campaign.status) && (
          <Link href={`/campaigns/${campaign.id}/edit`} className="button secondary">
            Edit
          </Link>
        )}
        {actions.includes('send') && <SendButton campaign={campaign} onConfirm={() => perform('send')} />}
        {actions.includes('pause') && (
          <Button className="button secondary" onPress={() => perform('pause')} isPending={run.isPending && run.variables === 'pause'}>
            Pause
          </Button>
        )}
        {actions.includes('resume') && (
          <Button className="button primary" onPress={() => perform('resume')} isPending={run.isPending && run.variables === 'resume'}>
            Resume
          </Button>
        )}
        {actions.includes('cancel') && <CancelButton campaign={campaign} onConfirm={() => perform('cancel')} />}
      </div>
    </div>
  );
}

function SendButton({ campaign, onConfirm }: { campaign: Campaign; onConfirm(): Promise<unknown> }) {
  const lists = useListNames();
  const later = campaign.sendAt !== null && Date.parse(campaign.sendAt) > Date.now();
  const named = campaign.lists.map((id) => lists.data?.get(id));
  const upTo = named.reduce((sum, list) => sum + (list?.subscribed ?? 0), 0);
  const names = named.map((list, i) => list?.name ?? `list #${campaign.lists[i]}`).join(', ');
  return (
    <ConfirmButton
      label={later ? 'Schedule campaign' : 'Send campaign'}
      title={later ? `Schedule “${campaign.name}” for ${formatTime(campaign.sendAt)}?` : `Send “${campaign.name}” now?`}
      confirmLabel={later ? 'Schedule' : 'Send now'}
      cancelLabel="Not yet"
      tone="primary"
      onConfirm={onConfirm}
    >
      <p>
        {campaign.lists.length === 0
          ? 'It has no lists yet, so the server will refuse: edit it to add one.'
          : `It goes to ${names}: up to ${formatCount(upTo)} subscribers (one message per address; unsubscribed and suppressed addresses are skipped).`}
      </p>
      <p>Once it starts, its content is frozen. You can still pause or cancel it while it sends.</p>
    </ConfirmButton>
  );
}

function CancelButton({ campaign, onConfirm }: { campaign: Campaign; onConfirm(): Promise<unknown> }) {
  return (
    <ConfirmButton label="Cancel campaign" title={`Cancel “${campaign.name}”?`} confirmLabel="Cancel campaign" cancelLabel="Keep it" onConfirm={onConfirm}>
      <p>
        {campaign.status === 'draft'
          ? 'The draft will never be sent, and can no longer be edited.'
          : 'No further messages will go out; those already sent stay sent. A cancelled campaign cannot be resumed.'}
      </p>
    </ConfirmButton>
  );
}
