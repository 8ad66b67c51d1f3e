// One campaign: what it is, what can be done with it now (edit, send, pause, resume,
// cancel, send a test), its progress while it goes out, and its results. The results and
// their chart library load only when a campaign has results to show.
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { Link } from 'react-aria-components';
import { useParams } from 'react-router';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { NotFoundPage } from '../not-found-page';
import { CampaignActions } from './page/campaign-actions';
import { CampaignProgress } from './page/campaign-progress';
import { useCampaign, useCampaignStats } from './page/campaign-queries';
import { hasStarted, STATUS_LABELS, type CampaignStatus } from './page/campaign-status';
import { CampaignSummary } from './page/campaign-summary';
import { TestSendPanel } from './page/test-send-panel';
import './page/campaigns.css';

const CampaignResults = lazy(() => import('./results/campaign-results'));

export function CampaignPage() {
  const id = Number(useParams().id);
  if (!Number.isSafeInteger(id) || id < 1) return <NotFoundPage />;
  return <CampaignScreen id={id} />;
}

function CampaignScreen({ id }: { id: number }) {
  const { state } = useSession();
  const canWrite = state.status === 'signed-in' && state.session.user.role !== 'viewer';
  const campaign = useCampaign(id);
  const stats = useCampaignStats(id, campaign.data?.status);
  useStatusFollowsStats(id, campaign.data?.status, stats.data?.status);

  if (campaign.isPending) return <p role="status">Loading the campaign…</p>;
  if (campaign.isError) {
    return (
      <section aria-labelledby="page-title" className="campaigns-screen">
        <h1 id="page-title">Campaign</h1>
        <FormAlert message={campaign.error.message} />
        <Link href="/campaigns">Back to campaigns</Link>
      </section>
    );
  }
  const current = campaign.data;
  return (
    <section aria-labelledby="page-title" className="campaigns-screen campaign-page">
      <Link href="/campaigns" className="back-link">
        ← Campaigns
      </Link>
      <div className="page-heading">
        <h1 id="page-title">{current.name}</h1>
        <span className={`status-badge status-${current.status}`} data-testid="campaign-status">
          {STATUS_LABELS[current.status]}
        </span>
      </div>
      <CampaignActions campaign={current} canWrite={canWrite} />
      {/* What is moving (progress, then results) comes before what the campaign is. */}
      {current.status !== 'draft' && <CampaignProgress campaign={current} stats={stats.data} />}
      {stats.isError && <FormAlert message={stats.error.message} />}
      {hasStarted(current) && stats.data && (
        <Suspense fallback={<p role="status">Loading results…</p>}>
          <CampaignResults campaignId={current.id} stats={stats.data} />
        </Suspense>
      )}
      <div className="campaign-columns">
        <CampaignSummary campaign={current} />
        {canWrite && <TestSendPanel campaignId={current.id} />}
      </div>
    </section>
  );
}

/**
 * The stats carry the campaign's status: when it moves (queued → sending → sent, or paused
 * by the sender), read the campaign again so its summary and actions follow without a reload.
 */
function useStatusFollowsStats(id: number, campaignStatus: CampaignStatus | undefined, statsStatus: CampaignStatus | undefined) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (campaignStatus && statsStatus && campaignStatus !== statsStatus) {
      void queryClient.invalidateQueries({ queryKey: ['campaign', id] });
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    }
  }, [id, campaignStatus, statsStatus, queryClient]);
}
