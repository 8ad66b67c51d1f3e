// Campaigns: the most recent ones with their status and key numbers (sent, unique opens and
// clicks with their rates, and the share made by people), a link to each, and "New campaign".
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { dataOf } from '../../api/api-call';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { campaignStatsQuery } from './page/campaign-queries';
import { hasStarted, pollInterval, STATUS_LABELS, type CampaignStats, type CampaignSummary } from './page/campaign-status';
import { formatCount, formatRate, formatTime } from '../../format';
import './page/campaigns.css';

/** How many campaigns the overview shows: each started one costs a stats read. */
const RECENT = 25;

export function CampaignsListPage() {
  return (
    <section aria-labelledby="page-title" className="campaigns-screen">
      <div className="page-heading">
        <h1 id="page-title">Campaigns</h1>
        <Link href="/campaigns/new" className="button primary">
          New campaign
        </Link>
      </div>
      <RecentCampaigns />
    </section>
  );
}

/** The list's refresh: the shortest of its rows' intervals, never under 5 s; false when no row moves. */
function listInterval(intervals: (number | false)[]): number | false {
  const moving = intervals.filter((i): i is number => i !== false);
  return moving.length === 0 ? false : Math.max(5_000, Math.min(...moving));
}

function RecentCampaigns() {
  const { api } = useSession();
  const campaigns = useQuery({
    queryKey: ['campaigns', 'recent'],
    queryFn: async () => dataOf(await api.GET('/api/campaigns', { params: { query: { limit: RECENT } } })),
    // Sending campaigns change status on their own: the list follows its busiest row, at most every 5 s.
    refetchInterval: (query) => listInterval(query.state.data?.data.map((c) => pollInterval(c.status)) ?? []),
  });
  const started = campaigns.data?.data.filter(hasStarted) ?? [];
  const stats = useQueries({
    queries: started.map((campaign) => ({
      ...campaignStatsQuery(api, campaign.id),
      refetchInterval: listInterval([pollInterval(campaign.status)]),
    })),
  });
  const statsById = new Map(started.map((campaign, i) => [campaign.id, stats[i]?.data]));

  if (campaigns.isPending) return <p role="status">Loading campaigns…</p>;
  if (campaigns.isError) return <FormAlert message={campaigns.error.message} />;
  if (campaigns.data.data.length === 0) {
    return (
      <div className="panel empty-state">
        <h2>No campaigns yet</h2>
        <p>Write one, send yourself a test, then send it to your lists.</p>
        <Link href="/campaigns/new" className="button primary">
          Write your first campaign
        </Link>
      </div>
    );
  }
  return <CampaignsTable page={campaigns.data} statsById={statsById} />;
}

interface CampaignsTableProps {
  page: { data: CampaignSummary[]; nextCursor: string | null };
  statsById: Map<number, CampaignStats | undefined>;
}

function CampaignsTable({ page, statsById }: CampaignsTableProps) {
  return (
    <table className="table campaigns-table">
      <caption>
        Recent campaigns{page.nextCursor ? ` (the latest ${RECENT})` : ''}{' '}
        <span className="hint-inline">(rates are of messages sent; “people” leaves out mail proxies and link scanners)</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Campaign</th>
          <th scope="col">Status</th>
          <th scope="col">When</th>
          <th scope="col" className="number">Sent</th>
          <th scope="col" className="number">Opened</th>
          <th scope="col" className="number">Clicked</th>
        </tr>
      </thead>
      <tbody>
        {page.data.map((campaign) => (
          <CampaignRow key={campaign.id} campaign={campaign} stats={statsById.get(campaign.id)} />
        ))}
      </tbody>
    </table>
  );
}

function CampaignRow({ campaign, stats }: { campaign: CampaignSummary; stats: CampaignStats | undefined }) {
  return (
    <tr>
      <th scope="row">
        <Link href={`/campaigns/${campaign.id}`}>{campaign.name}</Link>
        <div className="hint">{campaign.subject}</div>
      </th>
      <td>
        <span className={`status-badge status-${campaign.status}`}>{STATUS_LABELS[campaign.status]}</span>
      </td>
      <td>{whenOf(campaign)}</td>
      <td className="number">{stats ? formatCount(stats.sent) : '–'}</td>
      <td className="number">{stats ? <Engagement tally={stats.opened} sent={stats.sent} /> : '–'}</td>
      <td className="number">{stats ? <Engagement tally={stats.clicked} sent={stats.sent} /> : '–'}</td>
    </tr>
  );
}

function Engagement({ tally, sent }: { tally: CampaignStats['opened']; sent: number }) {
  return (
    <>
      {formatCount(tally.unique)} <span className="hint-inline">({formatRate(tally.unique, sent)})</span>
      <div className="hint">people {formatRate(tally.human.unique, sent)}</div>
    </>
  );
}

/** The time that matters for the campaign's state: finished, started, scheduled or last edited. */
function whenOf(campaign: CampaignSummary): string {
  if (campaign.finishedAt) return `Finished ${formatTime(campaign.finishedAt)}`;
  if (campaign.startedAt) return `Started ${formatTime(campaign.startedAt)}`;
  if (campaign.sendAt && campaign.status !== 'cancelled') return `Sends ${formatTime(campaign.sendAt)}`;
  return `Edited ${formatTime(campaign.updatedAt)}`;
}
