// Campaigns: the most recent ones with their status and key numbers (sent, unique opens and
// clicks with their rates, and the share made by people), a link to each, and "New campaign".
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { dataOf } from '../../api/api-call';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { hasStarted, pollInterval, STATUS_LABELS, type CampaignSummary } from './page/campaign-status';
import { formatCount, formatRate, formatTime } from '../../format';
import './page/campaigns.css';

/** How many campaigns the overview shows (their numbers come with the list, in one read). */
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
    // Sending campaigns change status and numbers on their own: the list follows its busiest row, at most every 5 s.
    refetchInterval: (query) => listInterval(query.state.data?.data.map((c) => pollInterval(c.status)) ?? []),
  });

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
  return <CampaignsTable page={campaigns.data} />;
}

function CampaignsTable({ page }: { page: { data: CampaignSummary[]; nextCursor: string | null } }) {
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
          <CampaignRow key={campaign.id} campaign={campaign} />
        ))}
      </tbody>
    </table>
  );
}

function CampaignRow({ campaign }: { campaign: CampaignSummary }) {
  const numbers = hasStarted(campaign) ? campaign.numbers : null;
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
      <td className="number">{numbers ? formatCount(numbers.sent) : '–'}</td>
      <td className="number">{numbers ? <Engagement tally={numbers.opened} sent={numbers.sent} /> : '–'}</td>
      <td className="number">{numbers ? <Engagement tally={numbers.clicked} sent={numbers.sent} /> : '–'}</td>
    </tr>
  );
}

function Engagement({ tally, sent }: { tally: CampaignSummary['numbers']['opened']; sent: number }) {
  return (
    <>
      {formatCount(tally.unique)} <span className="hint-inline">({formatRate(tally.unique, sent)})</span>
      <div className="hint">people {formatRate(tally.humanUnique, sent)}</div>
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
