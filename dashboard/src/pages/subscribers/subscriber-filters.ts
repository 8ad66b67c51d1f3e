// The browse screen's filters live in the page's URL with the API's own names (`search`,
// `list`, `listStatus`, `status`, `attr.<key>`), so a filtered view can be bookmarked,
// the Lists page can link to `/subscribers?list=ID`, and the export gets the same filter.

export type SubscriberStatus = 'active' | 'blocklisted';
export type MembershipStatus = 'unconfirmed' | 'subscribed' | 'unsubscribed';

export interface SubscriberFilter {
  search?: string;
  list?: number;
  listStatus?: MembershipStatus;
  status?: SubscriberStatus;
  /** `attr.<key>=<value>` pairs, all of which must match. */
  attributes: [key: string, value: string][];
}

const ATTR = 'attr.';
const STATUSES: readonly string[] = ['active', 'blocklisted'];
const LIST_STATUSES: readonly string[] = ['unconfirmed', 'subscribed', 'unsubscribed'];

/** The filter a URL's search parameters describe; parameters that make no sense are dropped. */
export function filterFromParams(params: URLSearchParams): SubscriberFilter {
  const list = Number(params.get('list'));
  const listStatus = params.get('listStatus') ?? '';
  const status = params.get('status') ?? '';
  const search = params.get('search')?.trim();
  const hasList = Number.isInteger(list) && list > 0;
  return {
    ...(search ? { search } : {}),
    ...(hasList ? { list } : {}),
    ...(hasList && LIST_STATUSES.includes(listStatus) ? { listStatus: listStatus as MembershipStatus } : {}),
    ...(STATUSES.includes(status) ? { status: status as SubscriberStatus } : {}),
    attributes: [...params.entries()].filter(([name, value]) => name.startsWith(ATTR) && name.length > ATTR.length && value !== '').map(([name, value]) => [name.slice(ATTR.length), value]),
  };
}

/** The filter as search parameters, for the URL, GET /api/subscribers and the export. */
export function filterToParams(filter: SubscriberFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.search) params.set('search', filter.search);
  if (filter.list !== undefined) params.set('list', String(filter.list));
  if (filter.listStatus) params.set('listStatus', filter.listStatus);
  if (filter.status) params.set('status', filter.status);
  for (const [key, value] of filter.attributes) params.set(ATTR + key, value);
  return params;
}

/** The filter's URL search string: a stable key for the table's paging. */
export function filterKey(filter: SubscriberFilter): string {
  return filterToParams(filter).toString();
}

/** Whether any filter is set (the empty-table message differs). */
export function isFiltered(filter: SubscriberFilter): boolean {
  return filterToParams(filter).size > 0;
}

/** The download link for the subscribers this filter selects. */
export function exportHref(filter: SubscriberFilter): string {
  const query = filterToParams(filter).toString();
  return `/api/subscribers/export${query ? `?${query}` : ''}`;
}
