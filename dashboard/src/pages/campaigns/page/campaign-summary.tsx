// What the campaign is: subject, sender, lists, servers, schedule and status, as a
// description list (names looked up from the lists and servers the API knows).
import type { ReactNode } from 'react';
import { STATUS_LABELS, type Campaign } from './campaign-status';
import { useListNames, useServerNames } from './campaign-queries';
import { formatCount, formatTime } from '../../../format';

export function CampaignSummary({ campaign }: { campaign: Campaign }) {
  const lists = useListNames();
  const servers = useServerNames();
  const listText = campaign.lists.length === 0
    ? 'None yet: add a list before sending'
    : campaign.lists
        .map((id) => {
          const list = lists.data?.get(id);
          return list ? `${list.name} (${formatCount(list.subscribed)} subscribed)` : `List #${id}`;
        })
        .join(', ');
  const serverText = campaign.sendingServers.length === 0
    ? `The default server${servers.data?.defaultName ? ` (${servers.data.defaultName})` : ''}`
    : campaign.sendingServers
        .map(({ id, weight }) => `${servers.data?.names.get(id) ?? `Server #${id}`}${campaign.sendingServers.length > 1 ? ` (weight ${weight})` : ''}`)
        .join(', then ');
  return (
    <section className="panel" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl className="summary">
        <Item term="Subject">{campaign.subject}</Item>
        <Item term="From">{campaign.from}</Item>
        <Item term="Lists">{listText}</Item>
        <Item term="Sending servers">{serverText}</Item>
        <Item term="Schedule">{scheduleText(campaign)}</Item>
        <Item term="Status">
          {STATUS_LABELS[campaign.status]}
          {campaign.statusReason && <div className="status-reason">{campaign.statusReason}</div>}
        </Item>
      </dl>
    </section>
  );
}

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function scheduleText(campaign: Campaign): string {
  if (campaign.finishedAt) return `Started ${formatTime(campaign.startedAt, '–')}, finished ${formatTime(campaign.finishedAt)}`;
  if (campaign.startedAt) return `Started ${formatTime(campaign.startedAt)}`;
  if (campaign.sendAt) return `${formatTime(campaign.sendAt)} (${Date.parse(campaign.sendAt) > Date.now() ? 'waits until then' : 'as soon as it is sent'})`;
  return 'As soon as it is sent';
}
