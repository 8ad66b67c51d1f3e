// Server state of the campaign screens (TanStack Query): one campaign, its live stats, and
// the lists and servers its summary names. Keys: ['campaign', id], ['campaign-stats', id],
// ['campaigns'] for the list, ['lists'] and ['sending-servers'] shared with their screens.
import { useQuery } from '@tanstack/react-query';
import { dataOf } from '../../../api/api-call';
import { allListsQuery, allSendingServersQuery } from '../../../api/picker-queries';
import { useSession } from '../../../api/session';
import { pollInterval, type CampaignStatus } from './campaign-status';

/** The campaign, or an error saying why it could not be read (e.g. no such id). */
export function useCampaign(id: number) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['campaign', id],
    queryFn: async () => dataOf(await api.GET('/api/campaigns/{id}', { params: { path: { id } } })),
  });
}

/**
 * The campaign's stats, refreshed while it sends (pollInterval) and left alone once final.
 * Not read for a draft: it has no messages yet.
 */
export function useCampaignStats(id: number, status: CampaignStatus | undefined) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['campaign-stats', id],
    queryFn: async () => dataOf(await api.GET('/api/campaigns/{id}/stats', { params: { path: { id } } })),
    enabled: status !== undefined && status !== 'draft',
    // The stats carry the status too, so polling stops on the first final answer.
    refetchInterval: (query) => pollInterval(query.state.data?.status ?? status),
  });
}

/** Names of lists by id (the first 200 lists, the API's largest page). */
export function useListNames() {
  const { api } = useSession();
  return useQuery({ ...allListsQuery(api), select: (lists) => new Map(lists.map((list) => [list.id, { name: list.name, subscribed: list.counts.subscribed }])) });
}

/** Names of sending servers by id, and which one is the default. */
export function useServerNames() {
  const { api } = useSession();
  return useQuery({
    ...allSendingServersQuery(api),
    select: (servers) => ({ names: new Map(servers.map((server) => [server.id, server.name])), defaultName: servers.find((server) => server.isDefault)?.name ?? null }),
  });
}
