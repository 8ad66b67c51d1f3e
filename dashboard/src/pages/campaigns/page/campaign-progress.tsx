// The live view while a campaign goes out: a progress bar (messages with an outcome, of the
// recipients the dispatcher has listed so far), the counts, and a sentence on what is
// happening, announced politely as it changes. The numbers come from the stats the page polls.
import { Label, ProgressBar } from 'react-aria-components';
import { processed, type Campaign, type CampaignStats } from './campaign-status';
import { formatCount } from '../../../format';

export function CampaignProgress({ campaign, stats }: { campaign: Campaign; stats: CampaignStats | undefined }) {
  const done = stats ? processed(stats) : 0;
  const recipients = stats?.recipients ?? 0;
  return (
    <section className="panel" aria-labelledby="progress-title">
      <h2 id="progress-title">Progress</h2>
      <ProgressBar
        className="progress"
        value={done}
        minValue={0}
        maxValue={Math.max(recipients, 1)}
        // Before the dispatcher lists recipients there is nothing to measure against.
        isIndeterminate={recipients === 0 && !isSettled(campaign)}
        valueLabel={`${formatCount(done)} of ${formatCount(recipients)} messages`}
      >
        {({ percentage, valueText, isIndeterminate }) => (
          <>
            <div className="progress-label">
              <Label>Messages processed</Label>
              <span>{valueText}</span>
            </div>
            <div className="progress-track">
              <div className={`progress-fill${isIndeterminate ? ' indeterminate' : ''}`} style={{ width: isIndeterminate ? undefined : `${percentage ?? 0}%` }} />
            </div>
          </>
        )}
      </ProgressBar>
      <p role="status" className="progress-status">
        {statusSentence(campaign, stats)}
      </p>
      {stats && (
        <dl className="counts">
          <Count term="Recipients" value={stats.recipients} />
          <Count term="Waiting" value={stats.queued} />
          <Count term="Sent" value={stats.sent} />
          <Count term="Failed" value={stats.failed} />
          <Count term="Skipped" value={stats.skipped} />
        </dl>
      )}
    </section>
  );
}

function Count({ term, value }: { term: string; value: number }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{formatCount(value)}</dd>
    </div>
  );
}

function isSettled(campaign: Campaign): boolean {
  return campaign.status === 'sent' || campaign.status === 'cancelled' || campaign.status === 'failed' || campaign.status === 'paused';
}

function statusSentence(campaign: Campaign, stats: CampaignStats | undefined): string {
  const sent = formatCount(stats?.sent ?? 0);
  switch (campaign.status) {
    case 'scheduled':
      return 'Scheduled: sending starts at its send time.';
    case 'queued':
      return 'Queued: a sender will pick it up in a moment.';
    case 'sending':
      return `Sending: ${sent} sent so far.`;
    case 'paused':
      return `Paused after ${sent} sent${campaign.statusReason ? `: ${campaign.statusReason}` : '.'} Resume to carry on where it stopped.`;
    case 'sent':
      return `Done: ${sent} sent${stats?.failed ? `, ${formatCount(stats.failed)} failed` : ''}.`;
    case 'cancelled':
      return `Cancelled after ${sent} sent.`;
    case 'failed':
      return `Failed${campaign.statusReason ? `: ${campaign.statusReason}` : '.'}`;
    case 'draft':
      return 'Not sent yet.';
  }
}
