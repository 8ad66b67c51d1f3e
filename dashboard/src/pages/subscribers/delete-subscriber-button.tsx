// Deleting a subscriber, after a confirmation that says what goes with them.
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { callFailed } from '../../api/api-call';
import { useSession } from '../../api/session';
import { ConfirmButton } from '../../components/confirm-button';
import type { Subscriber } from './subscriber-page';

/** "Delete" and its confirmation dialog; back to the list once done. */
export function DeleteSubscriberButton({ subscriber }: { subscriber: Subscriber }) {
  const { api } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  async function remove() {
    const { error, response } = await api.DELETE('/api/subscribers/{id}', { params: { path: { id: subscriber.id } } });
    // 404: already gone, which is what was asked.
    if (!response.ok && response.status !== 404) callFailed(error, response);
    queryClient.removeQueries({ queryKey: ['subscriber', subscriber.id] });
    void queryClient.invalidateQueries({ queryKey: ['subscribers'] });
    void queryClient.invalidateQueries({ queryKey: ['lists'] });
    navigate('/subscribers');
  }

  return (
    <ConfirmButton label="Delete" title={`Delete ${subscriber.email}?`} confirmLabel="Delete subscriber" onConfirm={remove}>
      <p>
        This removes the subscriber, their list memberships and the record of the messages sent to them. It cannot be undone. To stop mailing them but
        keep their history, set their status to Blocklisted instead.
      </p>
    </ConfirmButton>
  );
}
