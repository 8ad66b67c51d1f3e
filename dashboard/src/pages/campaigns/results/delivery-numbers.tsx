// What became of the messages sent: delivered, bounced (hard and soft), complained,
// unsubscribed, still deferred or dropped by the relay, each with its share of messages sent.
import type { CampaignStats } from '../page/campaign-status';
import { formatCount, formatRate } from '../../../format';

export function DeliveryNumbers({ stats }: { stats: CampaignStats }) {
  const items: [string, number][] = [
    ['Delivered', stats.delivered],
    ['Hard bounces', stats.bounced.hard],
    ['Soft bounces', stats.bounced.soft],
    ['Complaints', stats.complained],
    ['Unsubscribed', stats.unsubscribed.unique],
    ['Deferred', stats.deferred],
    ['Dropped by the relay', stats.dropped],
  ];
  return (
    <section aria-labelledby="delivery-title" className="results-block">
      <h3 id="delivery-title">Delivery</h3>
      <dl className="counts">
        {items.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>
              {formatCount(value)} <span className="hint-inline">{formatRate(value, stats.sent)}</span>
            </dd>
          </div>
        ))}
      </dl>
      <p className="hint">
        Shares are of the {formatCount(stats.sent)} messages sent. Delivered needs a relay that reports deliveries; a message counts once,
        as a hard bounce if any of its bounces was.
      </p>
    </section>
  );
}
