// Opens and clicks: all hits, messages opened or clicked, and the split between people and
// machines (mail proxies, privacy protection, link scanners), with each machine reason.
// This table is also the text alternative of the engagement chart.
import type { CampaignStats } from '../page/campaign-status';
import { formatCount, formatRate } from '../../../format';
import { describeReason, reasonRows } from './machine-reasons';

export function EngagementNumbers({ stats }: { stats: CampaignStats }) {
  const rows: [string, CampaignStats['opened']][] = [
    ['Opened', stats.opened],
    ['Clicked', stats.clicked],
  ];
  const reasons = reasonRows(stats.opened.machineReasons, stats.clicked.machineReasons);
  return (
    <>
      <table className="table" id="engagement-table">
        <caption>Opens and clicks (rates are of the {formatCount(stats.sent)} messages sent)</caption>
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col" className="number">All hits</th>
            <th scope="col" className="number">Messages</th>
            <th scope="col" className="number">Rate</th>
            <th scope="col" className="number">By people</th>
            <th scope="col" className="number">People rate</th>
            <th scope="col" className="number">By machines</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, tally]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="number">{formatCount(tally.total)}</td>
              <td className="number">{formatCount(tally.unique)}</td>
              <td className="number">{formatRate(tally.unique, stats.sent)}</td>
              <td className="number">{formatCount(tally.human.unique)}</td>
              <td className="number">{formatRate(tally.human.unique, stats.sent)}</td>
              <td className="number">{formatCount(tally.machine.unique)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {reasons.length > 0 && (
        <table className="table">
          <caption>Why hits were counted as machines’</caption>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col" className="number">Opens</th>
              <th scope="col" className="number">Clicks</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((row) => (
              <tr key={row.code}>
                <th scope="row">
                  {describeReason(row.code)} <code>{row.code}</code>
                </th>
                <td className="number">{formatCount(row.opens)}</td>
                <td className="number">{formatCount(row.clicks)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
