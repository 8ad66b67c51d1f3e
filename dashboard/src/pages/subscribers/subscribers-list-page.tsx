// Browse subscribers: search and filters (kept in the URL), a page of 50 at a time, and
// the ways in: add one, import a CSV, export what the filter selects.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Cell, Column, Link, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { dataOf } from '../../api/api-call';
import type { paths } from '../../api/schema';
import { useSession } from '../../api/session';
import { CursorPager, useCursorPages } from '../../components/cursor-pager';
import { FormAlert } from '../../components/form-alert';
import { ExportCsvLink } from './export-csv-link';
import { SubscriberFilterBar } from './subscriber-filter-bar';
import { exportHref, filterFromParams, filterKey, filterToParams, isFiltered, type SubscriberFilter } from './subscriber-filters';
import { formatDate } from '../../format';

const PAGE_SIZE = 50;
// `attr.<key>` parameters are open-ended, so the OpenAPI document cannot list them.
type SubscribersQuery = NonNullable<paths['/api/subscribers']['get']['parameters']['query']>;

export function SubscribersListPage() {
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const setFilter = (next: SubscriberFilter) => setParams(filterToParams(next), { replace: true });
  return (
    <section aria-labelledby="page-title">
      <div className="page-heading">
        <h1 id="page-title">Subscribers</h1>
        <div className="actions">
          <Link href="/subscribers/new" className="button primary">Add subscriber</Link>
          <Link href="/subscribers/import" className="button secondary">Import CSV</Link>
          <ExportCsvLink href={exportHref(filter)} />
        </div>
      </div>
      <SubscriberFilterBar filter={filter} onChange={setFilter} />
      <SubscribersTable filter={filter} />
    </section>
  );
}

function SubscribersTable({ filter }: { filter: SubscriberFilter }) {
  const { api } = useSession();
  const key = filterKey(filter);
  const pages = useCursorPages(key);
  const cursor = pages.cursor;
  const page = useQuery({
    queryKey: ['subscribers', key, cursor ?? ''],
    queryFn: async () => {
      const query = { ...Object.fromEntries(filterToParams(filter)), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } as SubscribersQuery;
      return dataOf(await api.GET('/api/subscribers', { params: { query } }));
    },
    placeholderData: keepPreviousData,
  });
  if (page.isPending) return <p role="status">Loading subscribers…</p>;
  if (page.isError) return <FormAlert message={page.error.message} />;
  const rows = page.data.data;
  const first = pages.before * PAGE_SIZE + 1;
  return (
    <>
      <Table aria-label="Subscribers" className="table data-table">
        <TableHeader>
          <Column isRowHeader>Email</Column>
          <Column>Name</Column>
          <Column>Status</Column>
          <Column>Added</Column>
        </TableHeader>
        <TableBody renderEmptyState={() => (isFiltered(filter) ? 'No subscriber matches these filters.' : 'No subscribers yet: add one, or import a CSV file.')}>
          {rows.map((s) => (
            <Row key={s.id} id={s.id} href={`/subscribers/${s.id}`}>
              <Cell>{s.email}</Cell>
              <Cell>{s.name}</Cell>
              <Cell>{s.status === 'blocklisted' ? <span className="badge danger">Blocklisted</span> : 'Active'}</Cell>
              <Cell>{formatDate(s.createdAt)}</Cell>
            </Row>
          ))}
        </TableBody>
      </Table>
      <CursorPager pages={pages} nextCursor={page.data.nextCursor}>
        <span role="status">{rows.length > 0 ? `${first}–${first + rows.length - 1}` : ''}{page.isFetching ? ' (loading…)' : ''}</span>
      </CursorPager>
    </>
  );
}
