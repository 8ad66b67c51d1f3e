// A subscriber's lists: each membership's status, leaving a list, joining another.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { callFailed, messageOf } from '../../api/api-call';
import { formatDate } from '../../format';
import { SelectField } from '../../components/select-field';
import type { Subscriber } from './subscriber-page';
import { useLists } from './use-lists';

const STATUS_LABELS = { subscribed: 'Subscribed', unconfirmed: 'Unconfirmed', unsubscribed: 'Unsubscribed' } as const;

/** The memberships table and the form to join another list. */
export function SubscriberMemberships({ subscriber }: { subscriber: Subscriber }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: async (lists: { add?: number[]; remove?: number[]; preconfirm?: boolean }) => {
      const { preconfirm = false, ...body } = lists;
      const { data, error, response } = await api.PATCH('/api/subscribers/{id}', {
        params: { path: { id: subscriber.id } },
        body: { lists: { add: body.add ?? [], remove: body.remove ?? [] }, preconfirm },
      });
      if (!data) callFailed(error, response);
      return data;
    },
    onMutate: () => setAlert(null),
    onSuccess: (updated) => {
      queryClient.setQueryData(['subscriber', updated.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['lists'] });
    },
    onError: (err) => setAlert(messageOf(err)),
  });

  return (
    <div className="panel" aria-labelledby="lists-title" role="region">
      <h2 id="lists-title">Lists</h2>
      <FormAlert message={alert} />
      {subscriber.lists.length === 0 ? (
        <p>Not on any list.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">List</th>
              <th scope="col">Status</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {subscriber.lists.map((m) => (
              <tr key={m.listId}>
                <th scope="row">{m.listName}</th>
                <td>
                  {STATUS_LABELS[m.status]} <span className="hint">since {formatDate(m.updatedAt)}</span>
                </td>
                <td>
                  <Button className="button secondary small" isDisabled={change.isPending} onPress={() => change.mutate({ remove: [m.listId] })} aria-label={`Remove from ${m.listName}`}>
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <JoinListForm subscriber={subscriber} pending={change.isPending} onJoin={(listId, preconfirm) => change.mutate({ add: [listId], preconfirm })} />
    </div>
  );
}

function JoinListForm({ subscriber, pending, onJoin }: { subscriber: Subscriber; pending: boolean; onJoin(listId: number, preconfirm: boolean): void }) {
  const lists = useLists();
  const [listId, setListId] = useState('');
  const [preconfirm, setPreconfirm] = useState(false);
  const member = new Set(subscriber.lists.map((m) => m.listId));
  const others = (lists.data ?? []).filter((l) => !member.has(l.id));
  if (others.length === 0) return null;
  const chosen = others.find((l) => String(l.id) === listId);
  return (
    <div className="join-list">
      <SelectField label="Add to list" options={others.map((l) => ({ id: String(l.id), label: l.name }))} value={chosen ? listId : null} onChange={setListId} placeholder="Choose a list" />
      {chosen?.optin === 'double' && (
        <Checkbox className="checkbox" isSelected={preconfirm} onChange={setPreconfirm}>
          Already confirmed
        </Checkbox>
      )}
      <Button className="button secondary" isDisabled={!chosen || pending} onPress={() => chosen && onJoin(chosen.id, preconfirm)}>
        Add
      </Button>
    </div>
  );
}
