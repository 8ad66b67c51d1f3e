// The lists and the sending servers as the pickers and summaries across the screens need
// them: one request each (the first 200, the API's largest page: a marketer has a handful),
// one cache entry, each caller shaping it with `select`. Under ['lists'] and
// ['sending-servers'], so whatever refreshes those screens refreshes these too.
import { queryOptions } from '@tanstack/react-query';
import { dataOf } from './api-call';
import type { ApiClient } from './client';

export function allListsQuery(api: ApiClient) {
  return queryOptions({
    queryKey: ['lists', 'all'],
    queryFn: async () => dataOf(await api.GET('/api/lists', { params: { query: { limit: 200 } } })).data,
  });
}

export function allSendingServersQuery(api: ApiClient) {
  return queryOptions({
    queryKey: ['sending-servers', 'all'],
    queryFn: async () => dataOf(await api.GET('/api/sending-servers', { params: { query: { limit: 200 } } })).data,
  });
}
