// A campaign's results, loaded lazily with the chart library: delivery outcomes, opens and
// clicks by people and machines (totals and over time, charts with tables), top links,
// outcomes by recipient domain, and each bounce and complaint with its reason. The stats
// come from the page's polling; the reports refresh more slowly while the campaign sends.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { FormAlert } from '../../../components/form-alert';
import { pollInterval, type CampaignStats } from '../page/campaign-status';
import { BouncesTable } from './bounces-table';
import { DeliveryNumbers } from './delivery-numbers';
import { DomainsTable } from './domains-table';
import { EngagementChart } from './engagement-chart';
import { EngagementNumbers } from './engagement-numbers';
import { EngagementTimeline } from './engagement-timeline';
import { useDomains, useTimeseries } from './report-queries';
import { TopLinksTable } from './top-links-table';

const REPORT_REFRESH_MS = 10_000;

export interface CampaignResultsProps {
  campaignId: number;
  stats: CampaignStats;
}

export default function CampaignResults({ campaignId, stats }: CampaignResultsProps) {
  const refresh = pollInterval(stats.status) === false ? false : REPORT_REFRESH_MS;
  const timeseries = useTimeseries(campaignId, refresh);
  const domains = useDomains(campaignId, refresh);
  useBouncesFollowStats(campaignId, stats);
  return (
    <section aria-labelledby="results-title" className="panel results">
      <h2 id="results-title">Results</h2>
      <DeliveryNumbers stats={stats} />
      <Block id="engagement" title="Opens and clicks">
        <EngagementChart stats={stats} />
        <EngagementNumbers stats={stats} />
      </Block>
      <Block id="timeline" title="Over time">
        {timeseries.isError && <FormAlert message={timeseries.error.message} />}
        {timeseries.isPending ? <p role="status">Loading…</p> : timeseries.data && <EngagementTimeline points={timeseries.data.points} />}
      </Block>
      <TopLinksTable links={stats.topLinks} />
      <Block id="domains" title="By domain">
        {domains.isError && <FormAlert message={domains.error.message} />}
        {domains.isPending ? <p role="status">Loading…</p> : domains.data && <DomainsTable domains={domains.data.domains} />}
      </Block>
      <Block id="bounces" title="Bounces and complaints">
        <BouncesTable campaignId={campaignId} />
      </Block>
    </section>
  );
}

function Block({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} className="results-block">
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
    </section>
  );
}

/** The bounce list is paged, so rather than poll every page it is read again when the stats count a new one. */
function useBouncesFollowStats(campaignId: number, stats: CampaignStats) {
  const queryClient = useQueryClient();
  const feedback = stats.bounced.hard + stats.bounced.soft + stats.complained;
  const seen = useRef(feedback);
  useEffect(() => {
    if (seen.current === feedback) return;
    seen.current = feedback;
    void queryClient.invalidateQueries({ queryKey: ['campaign-report', campaignId, 'bounces'] });
  }, [campaignId, feedback, queryClient]);
}
