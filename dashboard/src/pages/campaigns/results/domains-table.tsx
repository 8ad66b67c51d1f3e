// Outcomes per recipient domain (most sent first): where bounces, complaints and engagement
// concentrate, e.g. one mailbox provider throttling or filtering the campaign.
import type { components } from '../../../api/schema';
import { formatCount, formatRate } from '../../../format';

type Domain = components['schemas']['CampaignDomains']['domains'][number];

export function DomainsTable({ domains }: { domains: readonly Domain[] }) {
  if (domains.length === 0) return <p>No messages sent yet.</p>;
  return (
    <table className="table">
      <caption className="visually-hidden">Outcomes by recipient domain</caption>
      <thead>
        <tr>
          <th scope="col">Domain</th>
          <th scope="col" className="number">Sent</th>
          <th scope="col" className="number">Delivered</th>
          <th scope="col" className="number">Bounced (hard / soft)</th>
          <th scope="col" className="number">Complaints</th>
          <th scope="col" className="number">Opened</th>
          <th scope="col" className="number">Clicked</th>
          <th scope="col" className="number">Unsubscribed</th>
        </tr>
      </thead>
      <tbody>
        {domains.map((d) => (
          <tr key={d.domain}>
            <th scope="row">{d.domain || 'Unknown'}</th>
            <td className="number">{formatCount(d.sent)}</td>
            <td className="number">{formatCount(d.delivered)}</td>
            <td className="number">
              {formatCount(d.bounced.hard)} / {formatCount(d.bounced.soft)}
            </td>
            <td className="number">{formatCount(d.complained)}</td>
            <Engagement tally={d.opened} sent={d.sent} />
            <Engagement tally={d.clicked} sent={d.sent} />
            <td className="number">{formatCount(d.unsubscribed)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Engagement({ tally, sent }: { tally: Domain['opened']; sent: number }) {
  return (
    <td className="number">
      {formatCount(tally.unique)} <span className="hint-inline">{formatRate(tally.unique, sent)}</span>
      <div className="hint">people {formatCount(tally.humanUnique)}</div>
    </td>
  );
}
