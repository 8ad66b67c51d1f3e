// An endpoint's delivery log, newest first, by pages: each delivery's status, attempts and
// the endpoint's last answer, with a retry button for the finished ones.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { SelectField } from '../../components/select-field';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { FormAlert } from '../../components/form-alert';
import { dataOf, messageOf } from '../../api/api-call';
import { formatTime } from '../../format';

type Delivery = components['schemas']['WebhookDelivery'];
type Status = Delivery['status'];

const PAGE_SIZE = 20;
const STATUS_OPTIONS = [
  { id: 'all', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'delivered', label: 'Delivered' },
  { id: 'failed', label: 'Failed' },
] as const;
const STATUS_BADGE: Record<Status, string> = { pending: 'pending', delivered: 'ok', failed: 'failed' };

/** The deliveries of endpoint `endpointId`, refreshed while any is pending. */
export function DeliveriesTable({ endpointId }: { endpointId: number }) {
  const { api } = useSession();
  const [status, setStatus] = useState<Status | 'all'>('all');
  const pages = useCursorPages(status);
  const cursor = pages.cursor;
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpointId, status, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      dataOf(
        await api.GET('/api/webhook-endpoints/{id}/deliveries', {
          params: { path: { id: endpointId }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(status === 'all' ? {} : { status }) } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.data.some((d) => d.status === 'pending') ? 2000 : false),
  });

  return (
    <section className="panel stack" aria-labelledby="deliveries-title">
      <div className="page-header">
        <h2 id="deliveries-title">Deliveries</h2>
        <SelectField
          className="inline-select"
          label="Status"
          options={STATUS_OPTIONS}
          value={status}
          onChange={(key) => setStatus(key as Status | 'all')}
        />
      </div>
      {deliveries.isPending && <p role="status">Loading deliveries…</p>}
      {deliveries.isError && <FormAlert message={messageOf(deliveries.error)} />}
      {deliveries.data && deliveries.data.data.length === 0 && <p>No deliveries{status === 'all' ? ' yet: send a test ping above' : ` with status ${status}`}.</p>}
      {deliveries.data && deliveries.data.data.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">Deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" className="number">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.data.map((delivery) => (
              <DeliveryRow key={delivery.id} delivery={delivery} />
            ))}
          </tbody>
        </table>
      )}
      <CursorPager pages={pages} nextCursor={deliveries.data?.nextCursor} previousLabel="Newer" nextLabel="Older" small />
    </section>
  );
}

function DeliveryRow({ delivery }: { delivery: Delivery }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/webhook-deliveries/{id}/retry', { params: { path: { id: delivery.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', delivery.endpointId] }),
  });
  return (
    <tr>
      <th scope="row">
        <code>{delivery.event}</code>
        <div className="muted">
          #{delivery.id}, {formatTime(delivery.createdAt)}
        </div>
      </th>
      <td>
        <span className={`badge ${STATUS_BADGE[delivery.status]}`}>{delivery.status}</span>
        {delivery.nextAttemptAt && <div className="muted">next try {formatTime(delivery.nextAttemptAt)}</div>}
      </td>
      <td className="number">{delivery.attempts}</td>
      <td>
        {delivery.lastStatus !== null && <div>HTTP {delivery.lastStatus}</div>}
        {delivery.lastError && <div className="problems">{delivery.lastError}</div>}
        {delivery.lastResponse && (
          <details>
            <summary>Response body</summary>
            <pre className="response-body">{delivery.lastResponse}</pre>
          </details>
        )}
        {delivery.lastAttemptAt === null && <span className="muted">Not tried yet</span>}
      </td>
      <td>
        {delivery.status !== 'pending' && (
          <Button className="button secondary small" onPress={() => retry.mutate()} isPending={retry.isPending} aria-label={`Retry delivery ${delivery.id}`}>
            Retry
          </Button>
        )}
        {retry.isError && <p className="problems">{messageOf(retry.error)}</p>}
      </td>
    </tr>
  );
}
