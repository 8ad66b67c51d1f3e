// Bounces and complaints one by one, newest first, with the reason the remote server or the
// relay gave; more pages on request.
import { Button } from 'react-aria-components';
import { FormAlert } from '../../../components/form-alert';
import { formatTime } from '../../../format';
import { useBounces } from './report-queries';

export function BouncesTable({ campaignId }: { campaignId: number }) {
  const bounces = useBounces(campaignId);
  if (bounces.isPending) return <p role="status">Loading bounces and complaints…</p>;
  if (bounces.isError) return <FormAlert message={bounces.error.message} />;
  const events = bounces.data.pages.flatMap((page) => page.data);
  if (events.length === 0) return <p>No bounces or complaints.</p>;
  return (
    <>
      <table className="table">
        <caption className="visually-hidden">Bounces and complaints, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">What</th>
            <th scope="col">Reason</th>
            <th scope="col">Reported by</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <th scope="row" className="address">
                {event.recipient ?? 'Unknown'}
              </th>
              <td>{event.type === 'complaint' ? `Complaint${event.feedbackType ? ` (${event.feedbackType})` : ''}` : `${bounceLabel(event.bounceClass)} bounce`}</td>
              <td className="url">
                {event.status && <code>{event.status}</code>} {event.diagnostic ?? (event.status ? '' : 'No reason given')}
              </td>
              <td>{event.source ?? 'Unknown'}</td>
              <td>{formatTime(event.occurredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {bounces.hasNextPage && (
        <Button className="button secondary load-more" onPress={() => bounces.fetchNextPage()} isPending={bounces.isFetchingNextPage}>
          Show more
        </Button>
      )}
    </>
  );
}

function bounceLabel(bounceClass: 'hard' | 'soft' | null): string {
  if (bounceClass === 'hard') return 'Hard';
  if (bounceClass === 'soft') return 'Soft';
  return 'Unclassified';
}
