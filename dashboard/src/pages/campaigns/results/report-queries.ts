// The campaign reports beyond the stats: opens and clicks over time, recipient domains, and
// the bounce and complaint events (paged). Refreshed with the stats while the campaign sends.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { dataOf } from '../../../api/api-call';
import { useSession } from '../../../api/session';

/** How many domains the results list. */
const DOMAINS = 20;
const BOUNCES_PAGE = 25;

/** Opens and clicks per hour (first week) or day. */
export function useTimeseries(id: number, refetchInterval: number | false) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['campaign-report', id, 'timeseries'],
    queryFn: async () => dataOf(await api.GET('/api/campaigns/{id}/timeseries', { params: { path: { id } } })),
    refetchInterval,
  });
}

/** Outcomes per recipient domain, most sent first. */
export function useDomains(id: number, refetchInterval: number | false) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['campaign-report', id, 'domains'],
    queryFn: async () => dataOf(await api.GET('/api/campaigns/{id}/domains', { params: { path: { id }, query: { limit: DOMAINS } } })),
    refetchInterval,
  });
}

/** Bounce and complaint events, newest first, a page at a time. */
export function useBounces(id: number) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: ['campaign-report', id, 'bounces'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const query = { limit: BOUNCES_PAGE, ...(pageParam ? { cursor: pageParam } : {}) };
      return dataOf(await api.GET('/api/campaigns/{id}/bounces', { params: { path: { id }, query } }));
    },
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}
