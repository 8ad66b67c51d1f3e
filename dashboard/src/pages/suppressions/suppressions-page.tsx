// The suppression list: addresses Edgepost never mails (hard bounces, complaints, relay
// unsubscribes, repeated soft bounces, and those added by hand), searchable by the start of
// the address, by pages; each can be lifted.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Input, Label, SearchField } from 'react-aria-components';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { SelectField } from '../../components/select-field';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { FormAlert } from '../../components/form-alert';
import { dataOf, ensureOk, messageOf } from '../../api/api-call';
import { formatTime } from '../../format';
import { ConfirmButton } from '../../components/confirm-button';
import { AddSuppressionsForm } from './add-suppressions-form';

type Suppression = components['schemas']['Suppression'];
type Reason = Suppression['reason'];

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;
const REASON_LABELS: Record<Reason, string> = {
  hard_bounce: 'Hard bounce',
  soft_bounce: 'Repeated soft bounces',
  complaint: 'Complaint',
  unsubscribe: 'Unsubscribed (relay)',
  manual: 'Added by hand',
};
const REASON_OPTIONS = [{ id: 'all', label: 'All reasons' }, ...Object.entries(REASON_LABELS).map(([id, label]) => ({ id, label }))];

export function SuppressionsPage() {
  return (
    <section aria-labelledby="page-title" className="stack">
      <h1 id="page-title">Suppressions</h1>
      <AddSuppressionsForm />
      <SuppressionsList />
    </section>
  );
}

function SuppressionsList() {
  const { api } = useSession();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [reason, setReason] = useState<Reason | 'all'>('all');
  const pages = useCursorPages(`${reason} ${search}`);
  const cursor = pages.cursor;

  // Search once the typing pauses, from the first page.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed.trim().toLowerCase());
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const page = useQuery({
    queryKey: ['suppressions', search, reason, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      dataOf(
        await api.GET('/api/suppressions', {
          params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(search ? { search: search.slice(0, 254) } : {}), ...(reason === 'all' ? {} : { reason }) } },
        }),
      ),
  });

  return (
    <div className="stack">
      <div className="form-grid">
        <SearchField className="field" value={typed} onChange={setTyped}>
          <Label>Search</Label>
          <Input placeholder="The start of an address, e.g. ann@" />
        </SearchField>
        <SelectField
          label="Reason"
          options={REASON_OPTIONS}
          value={reason}
          onChange={(key) => setReason(key as Reason | 'all')}
        />
      </div>
      {page.isPending && <p role="status">Loading suppressions…</p>}
      {page.isError && <FormAlert message={messageOf(page.error)} />}
      {page.data && page.data.data.length === 0 && <p>{search || reason !== 'all' ? 'No suppressed address matches.' : 'No suppressed addresses.'}</p>}
      {page.data && page.data.data.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">Suppressed addresses, in address order</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Reason</th>
              <th scope="col">Detail</th>
              <th scope="col">Since</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {page.data.data.map((row) => (
              <SuppressionRow key={row.email} row={row} />
            ))}
          </tbody>
        </table>
      )}
      <CursorPager pages={pages} nextCursor={page.data?.nextCursor} previousLabel="Previous page" nextLabel="Next page" small />
    </div>
  );
}

function SuppressionRow({ row }: { row: Suppression }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  return (
    <tr>
      <th scope="row">{row.email}</th>
      <td>{REASON_LABELS[row.reason]}</td>
      <td>{row.detail ?? <span className="muted">None</span>}</td>
      <td>{formatTime(row.createdAt)}</td>
      <td>
        <ConfirmButton
          small
          label="Lift"
          ariaLabel={`Lift the suppression of ${row.email}`}
          title={`Mail ${row.email} again?`}
          confirmLabel="Lift suppression"
          onConfirm={async () => {
            ensureOk(await api.DELETE('/api/suppressions/{email}', { params: { path: { email: row.email } } }));
            await queryClient.invalidateQueries({ queryKey: ['suppressions'] });
          }}
        >
          <p>
            {row.email} was suppressed: {REASON_LABELS[row.reason].toLowerCase()}. Lifting it lets campaigns mail the address again; a new bounce or
            complaint suppresses it again.
          </p>
        </ConfirmButton>
      </td>
    </tr>
  );
}
