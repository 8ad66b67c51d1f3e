// The lists, for this section's pickers (filter, memberships, import). One page of the
// largest size: a marketer has a handful of lists, not hundreds.
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/api-error';
import { useSession } from '../../api/session';

/** Every list's id, name and opt-in (the first 200). */
export function useLists() {
  const { api } = useSession();
  return useQuery({
    // Under ['lists'], so whatever refreshes the Lists page refreshes these too.
    queryKey: ['lists', 'options'],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/lists', { params: { query: { limit: 200 } } });
      if (!data) throw new Error(errorMessage(error, response));
      return data.data.map((list) => ({ id: list.id, name: list.name, optin: list.optin }));
    },
  });
}
