// A subscriber's timeline, newest first: the messages campaigns sent them and what came
// back (deliveries, bounces, complaints, opens and clicks, by a person or a machine,
// unsubscribes), a page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Link } from 'react-aria-components';
import { dataOf } from '../../api/api-call';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { formatTime } from '../../format';

type ActivityItem = components['schemas']['SubscriberActivity']['data'][number];
type EventItem = Extract<ActivityItem, { kind: 'event' }>;
type MessageItem = Extract<ActivityItem, { kind: 'message' }>;

const PAGE_SIZE = 20;
const EVENT_LABELS: Record<EventItem['type'], string> = {
  delivered: 'Delivered',
  bounce: 'Bounced',
  complaint: 'Marked as spam',
  open: 'Opened',
  click: 'Clicked',
  unsubscribe: 'Unsubscribed',
  deferred: 'Delivery delayed',
  dropped: 'Dropped by the relay',
};
const MESSAGE_LABELS: Record<MessageItem['status'], string> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Sending failed',
  skipped: 'Skipped',
  cancelled: 'Not sent: cancelled',
};

/** The timeline, with "Show older" while there is more. */
export function SubscriberActivity({ subscriberId }: { subscriberId: number }) {
  const { api } = useSession();
  const activity = useInfiniteQuery({
    queryKey: ['subscriber', subscriberId, 'activity'],
    initialPageParam: '',
    queryFn: async ({ pageParam }) => {
      const query = { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) };
      return dataOf(await api.GET('/api/subscribers/{id}/activity', { params: { path: { id: subscriberId }, query } }));
    },
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = activity.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="panel" role="region" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      {activity.isPending && <p role="status">Loading activity…</p>}
      {activity.isError && <FormAlert message={activity.error.message} />}
      {activity.isSuccess && items.length === 0 && <p>Nothing yet: no campaign has been sent to this subscriber.</p>}
      {items.length > 0 && (
        <ol className="timeline">
          {items.map((item) => (
            <li key={`${item.kind}-${item.id}`}>
              <time dateTime={item.at}>{formatTime(item.at)}</time>
              <span className={item.kind === 'event' ? `event event-${item.type}` : 'event'}>
                {item.kind === 'event' ? EVENT_LABELS[item.type] : MESSAGE_LABELS[item.status]}
              </span>
              {item.campaign && <Link href={`/campaigns/${item.campaign.id}`}>{item.campaign.name ?? `campaign ${item.campaign.id} (deleted)`}</Link>}
              {item.kind === 'event' && detail(item) && <span className="hint">{detail(item)}</span>}
            </li>
          ))}
        </ol>
      )}
      {activity.hasNextPage && (
        <Button className="button secondary" isPending={activity.isFetchingNextPage} onPress={() => void activity.fetchNextPage()}>
          Show older
        </Button>
      )}
    </div>
  );
}

/** What else is worth a line: the clicked link, the kind of bounce, a machine's open or click. */
function detail(event: EventItem): string {
  const machine = event.machine ? `by a machine${event.machineReason ? ` (${event.machineReason})` : ''}` : null;
  return [event.bounceClass && `${event.bounceClass} bounce`, event.url, machine].filter(Boolean).join(' · ');
}
